import FORLLMApp
import FORLLMWorker
import Foundation
import Testing

/// `llm.vision_models` (issue 10, part 1): read from the file and the environment, checked.
@Suite("Configuration: llm.vision_models")
struct VisionConfigurationTests {
    static func load(file: String? = nil, environment: [String: String] = [:]) throws -> FORLLMConfiguration {
        try FORLLMConfiguration.load(
            ConfigurationSources(
                configPath: file,
                overrides: [:],
                environment: environment,
                defaultConfigPath: "/nonexistent/forllm.yaml"
            )
        )
    }

    @Test("unset: no overrides, the server decides")
    func unset() throws {
        #expect(try Self.load().worker.visionModels == VisionModels())
    }

    @Test("from the YAML file (quoted, since ! and * mean something in YAML) and from the environment")
    func read() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vision-\(UUID().uuidString).yaml")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "llm:\n  vision_models: \"llava*, !llama3.2*\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let models = try Self.load(file: path).worker.visionModels
        #expect(models.sees("llava:13b") == true)
        #expect(models.sees("llama3.2") == false)
        #expect(models.sees("qwen2.5") == nil)
        let fromEnvironment = try Self.load(environment: ["FORLLM_LLM_VISION_MODELS": "gemma3"]).worker.visionModels
        #expect(fromEnvironment.sees("gemma3:latest") == true)
    }

    @Test("a bad list stops with the key named")
    func bad() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try Self.load(environment: ["FORLLM_LLM_VISION_MODELS": "llava qwen"])
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("llm.vision_models"), "\(text)")
        #expect(text.contains("separate names with commas"), "\(text)")
    }
}
