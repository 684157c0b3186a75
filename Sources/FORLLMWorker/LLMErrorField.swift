/// The value of an `error` key: a text (Ollama) or an object with a `message` (OpenAI).
struct LLMErrorField: Decodable, Sendable {
    var message: String
    /// The object's `code` when it is text (`model_not_found`).
    var code: String?

    private enum CodingKeys: String, CodingKey {
        case message, code
    }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.message = text
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.message = (try? container.decode(String.self, forKey: .message)) ?? "unknown error"
        self.code = try? container.decode(String.self, forKey: .code)
    }
}
