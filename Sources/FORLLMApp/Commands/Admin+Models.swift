import FORLLMWorker
import Foundation
import Logging

extension Admin {
    struct BackendModelsJSON: Encodable {
        struct Model: Encodable {
            var name: String
            @Nullable var sizeBytes: Int64?
        }
        var backend: String
        var type: String
        var url: String
        var reachable: Bool
        @Nullable var error: String?
        var models: [Model]
    }

    /// `forllm models`: every backend's models, asked now, with an HTTP client of its own.
    public func listModels(json: Bool) async throws -> String {
        try await self.withLLM { try await self.listModels(llm: $0, json: json) }
    }

    func listModels(llm: LLMSide, json: Bool) async throws -> String {
        var items: [BackendModelsJSON] = []
        for backend in llm.backends {
            do {
                let models = try await llm.catalog.models(of: backend.name, refresh: true)
                items.append(
                    BackendModelsJSON(
                        backend: backend.name,
                        type: backend.type.rawValue,
                        url: backend.baseURL,
                        reachable: true,
                        error: nil,
                        models: models.map { .init(name: $0.name, sizeBytes: $0.sizeBytes) }
                    )
                )
            } catch {
                items.append(
                    BackendModelsJSON(
                        backend: backend.name,
                        type: backend.type.rawValue,
                        url: backend.baseURL,
                        reachable: false,
                        error: (error as? LLMError)?.message ?? "\(error)",
                        models: []
                    )
                )
            }
        }
        if json { return try JSONOutput.encode(items) }
        var rows: [[String]] = []
        let defaultModel = self.configuration.worker.defaultModel
        for item in items {
            if !item.reachable {
                rows.append([item.backend, item.type, "-", "unreachable: \(item.error ?? "?")"])
                continue
            }
            if item.models.isEmpty {
                rows.append([item.backend, item.type, "-", "reachable, no models (ollama pull \(defaultModel))"])
            }
            for model in item.models {
                let size = model.sizeBytes.map { String(format: "%.1f GB", Double($0) / 1e9) } ?? ""
                let mark = ModelCatalog.matches(model.name, defaultModel) ? "default model" : ""
                rows.append([
                    item.backend, item.type, model.name, [size, mark].filter { !$0.isEmpty }.joined(separator: ", ")
                ])
            }
        }
        var text = TextTable.render(header: ["BACKEND", "TYPE", "MODEL", "NOTE"], rows: rows)
        let offered = items.flatMap { item in item.models.map(\.name) }
        if !offered.contains(where: { ModelCatalog.matches($0, defaultModel) }) {
            text += "\n\nThe default model \(defaultModel) (llm.default_model) is not offered by any reachable backend."
        }
        return text
    }
}
