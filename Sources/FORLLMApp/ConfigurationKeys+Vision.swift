import FORLLMWorker

// The key that says which models can see images (issue 10, part 1: attachments).

extension ConfigurationKeys {
    /// `llm.vision_models` (``settings`` lists it after `llm.stop_repetition`).
    static let visionModels = ConfigurationKey<FORLLMConfiguration>(
        "llm.vision_models",
        type: "model list",
        help: "models that see images (`!name`: does not), over the server's word",
        details: [
            "Comma-separated names, `*` matches anything, the first match decides. Unlisted: Ollama's",
            "/api/show capabilities decide (`vision`); an OpenAI-compatible server cannot be asked, so",
            "there an unlisted model does not see. Images attached to a post go to a model that sees;",
            "otherwise the answer names the images the model did not get. Quote the value in YAML",
            "(`!` and `*` mean something there)."
        ],
        value: { $0.worker.visionModels.entries.isEmpty ? nil : $0.worker.visionModels.description },
        unset: "the server decides",
        example: "llava*, qwen2.5vl*, !llama3.2*",
        apply: { root, input throws(ConfigurationError) in
            if let problem = VisionModels.problem(in: input.text) {
                throw ConfigurationError(key: input.key, problem: problem)
            }
            root.worker.visionModels = VisionModels(parsing: input.text)
        }
    )
}
