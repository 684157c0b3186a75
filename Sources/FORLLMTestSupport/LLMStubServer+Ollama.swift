/// Ollama's API as the stub speaks it.
///
/// - SeeAlso: [Ollama API](https://github.com/ollama/ollama/blob/main/docs/api.md)
extension LLMStubServer {
    private static let createdAt: LLMStubJSON = "2024-01-01T00:00:00.000000Z"

    func routeOllama(_ request: LLMStubRequest) -> LLMStubPlan {
        switch (request.method, request.path) {
        case ("GET", "/"), ("HEAD", "/"):
            return .plain(status: 200, contentType: "text/plain; charset=utf-8", body: "Ollama is running")
        case ("GET", "/api/tags"):
            let models: [LLMStubJSON] = self.models.map { model in
                [
                    "name": .string(model.name),
                    "model": .string(model.name),
                    "modified_at": Self.createdAt,
                    "size": .number(Double(model.sizeBytes)),
                    "digest": "0000000000000000000000000000000000000000000000000000000000000000",
                    "details": ["format": "gguf", "family": "llama", "parameter_size": "3.2B"]
                ]
            }
            return .plain(
                status: 200,
                contentType: "application/json; charset=utf-8",
                body: LLMStubJSON.object(["models": .array(models)]).jsonText
            )
        case ("POST", "/api/show"):
            let name = request.json?["model"]?.stringValue ?? request.json?["name"]?.stringValue ?? ""
            guard let model = self.model(named: name) else {
                return .plain(
                    status: 404,
                    contentType: "application/json; charset=utf-8",
                    body: LLMStubJSON.object(["error": .string("model '\(name)' not found")]).jsonText
                )
            }
            var info: [String: LLMStubJSON] = [
                "general.architecture": "llama",
                "general.parameter_count": 3_212_749_888,
                "tokenizer.ggml.tokens": nil
            ]
            if let contextLength = model.contextLength {
                info["llama.context_length"] = .number(Double(contextLength))
            }
            var show: LLMStubJSON = [
                "modelfile": "FROM stub",
                "parameters": "stop \"<|eot_id|>\"",
                "template": "{{ .Prompt }}",
                "details": ["format": "gguf", "family": "llama"],
                "model_info": .object(info)
            ]
            if let capabilities = model.capabilities, case .object(var members) = show {
                members["capabilities"] = .array(capabilities.map(LLMStubJSON.string))
                show = .object(members)
            }
            return .plain(status: 200, contentType: "application/json; charset=utf-8", body: show.jsonText)
        case ("POST", "/api/chat"):
            let name = request.model ?? ""
            guard self.model(named: name) != nil else {
                let message = name.isEmpty ? "model is required" : "model \"\(name)\" not found, try pulling it first"
                return .chat(
                    LLMStubChatPlan(
                        wireFormat: .ollama,
                        request: request,
                        behaviour: .httpError(status: name.isEmpty ? 400 : 404, message: message)
                    )
                )
            }
            guard request.json?["stream"]?.boolValue != false else {
                return .chat(
                    LLMStubChatPlan(
                        wireFormat: .ollama,
                        request: request,
                        behaviour: .httpError(status: 400, message: "the stub answers streaming requests only")
                    )
                )
            }
            return .chat(
                LLMStubChatPlan(wireFormat: .ollama, request: request, behaviour: self.nextBehaviour(forModel: name))
            )
        default:
            return .plain(status: 404, contentType: "text/plain", body: "404 page not found")
        }
    }

    /// `{"model":..,"message":{"role":"assistant","content":piece},"done":false}` per piece, then
    /// the done line with counts, or `{"error": ...}`.
    static func ollamaStreamLines(_ plan: LLMStubChatPlan) -> LLMStubStreamLines {
        let model = LLMStubJSON.string(plan.model)
        let pieces = plan.pieces.map { piece -> String in
            let line: LLMStubJSON = [
                "model": model,
                "created_at": Self.createdAt,
                "message": ["role": "assistant", "content": .string(piece)],
                "done": false
            ]
            return line.jsonText + "\n"
        }
        let ending: [String]
        switch plan.behaviour.ending {
        case .done:
            let done: LLMStubJSON = [
                "model": model,
                "created_at": Self.createdAt,
                "message": ["role": "assistant", "content": ""],
                "done_reason": .string(plan.behaviour.finishReason),
                "done": true,
                "total_duration": 1_000_000,
                "load_duration": 1000,
                "prompt_eval_count": .number(Double(plan.promptTokens)),
                "prompt_eval_duration": 1000,
                "eval_count": .number(Double(plan.completionTokens)),
                "eval_duration": 1000
            ]
            ending = [done.jsonText + "\n"]
        case .streamError(let message):
            ending = [LLMStubJSON.object(["error": .string(message)]).jsonText + "\n"]
        case .disconnect, .repeatForever:
            ending = []
        }
        return LLMStubStreamLines(preamble: [], pieces: pieces, ending: ending)
    }
}
