import Foundation

/// An error object in a body or stream, in the shapes servers use:
///
/// ```
/// {"error": "model \"x\" not found, try pulling it first"}                 Ollama, LM Studio
/// {"error": {"message": "...", "type": "invalid_request_error", "code": ...}} OpenAI, llama.cpp
/// {"object": "error", "message": "...", "code": 404}                          vLLM
/// {"detail": "..."}                                                           FastAPI servers
/// ```
struct LLMErrorPayload: Decodable, Sendable {
    var message: String?
    /// `code` of an OpenAI error object when it is text (`model_not_found`).
    var code: String?

    private enum CodingKeys: String, CodingKey {
        case error, message, detail, object
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let field = try? container.decode(LLMErrorField.self, forKey: .error) {
            self.message = field.message
            self.code = field.code
        } else if (try? container.decode(String.self, forKey: .object)) == "error" {
            self.message = try? container.decode(String.self, forKey: .message)
        } else if let detail = try? container.decode(String.self, forKey: .detail) {
            self.message = detail
        }
    }

    /// The error in `body` when it is JSON in one of the shapes above.
    static func parse(_ body: String) -> LLMErrorPayload? {
        guard let data = body.data(using: .utf8),
            let payload = try? JSONDecoder().decode(LLMErrorPayload.self, from: data),
            payload.message != nil
        else {
            return nil
        }
        return payload
    }
}
