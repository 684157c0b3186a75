/// Ollama's JSON, as far as FORLLM uses it.
///
/// - SeeAlso: [Ollama API](https://github.com/ollama/ollama/blob/main/docs/api.md)
enum OllamaWire {
    /// `POST /api/chat`:
    /// ```
    /// {"model": "llama3.2", "messages": [{"role": "user", "content": "..."}], "stream": true,
    ///  "keep_alive": "30m", "options": {"num_ctx": 8192, "temperature": 0.7, "num_predict": 512}}
    /// ```
    /// A message with pictures carries them base64-encoded: `"images": ["iVBORw0KGgo..."]`.
    struct ChatRequest: Encodable, Sendable {
        var model: String
        var messages: [Message]
        var stream: Bool
        var keepAlive: String?
        var options: Options?

        struct Options: Encodable, Sendable {
            var numCtx: Int?
            var temperature: Double?
            var numPredict: Int?

            enum CodingKeys: String, CodingKey {
                case numCtx = "num_ctx"
                case temperature
                case numPredict = "num_predict"
            }
        }

        enum CodingKeys: String, CodingKey {
            case model, messages, stream
            case keepAlive = "keep_alive"
            case options
        }

        /// One message; `images` only when it has some.
        struct Message: Encodable, Sendable {
            var role: LLMMessage.Role
            var content: String
            var images: [String]?

            init(_ message: LLMMessage) {
                self.role = message.role
                self.content = message.content
                self.images = message.images.isEmpty ? nil : message.images.map(\.base64)
            }
        }
    }

    /// One NDJSON line of the `/api/chat` stream:
    /// ```
    /// {"model":"llama3.2","message":{"role":"assistant","content":"Hel"},"done":false}
    /// {"model":"llama3.2","message":{"role":"assistant","content":""},"done":true,
    ///  "done_reason":"stop","prompt_eval_count":26,"eval_count":290,...}
    /// {"error":"an error was encountered while running the model: CUDA error: out of memory"}
    /// ```
    struct ChatChunk: Decodable, Sendable {
        var message: Message?
        var done: Bool?
        var doneReason: String?
        var promptEvalCount: Int?
        var promptEvalCachedCount: Int?
        var evalCount: Int?
        var error: LLMErrorField?

        struct Message: Decodable, Sendable {
            var content: String?
        }

        enum CodingKeys: String, CodingKey {
            case message, done, error
            case doneReason = "done_reason"
            case promptEvalCount = "prompt_eval_count"
            case promptEvalCachedCount = "prompt_eval_cached_count"
            case evalCount = "eval_count"
        }
    }

    /// `GET /api/tags`: `{"models": [{"name": "llama3.2:latest", "size": 2019393189, ...}]}`
    struct Tags: Decodable, Sendable {
        var models: [Model]

        struct Model: Decodable, Sendable {
            var name: String
            var size: Int64?
        }
    }

    /// `POST /api/show` with `{"model": "llama3.2"}`.
    struct ShowRequest: Encodable, Sendable {
        var model: String
    }

    /// The answer of `/api/show`; only `model_info["<architecture>.context_length"]` and
    /// `capabilities` (Ollama 0.6 and later) matter:
    /// ```
    /// {"model_info": {"general.architecture": "llama", "llama.context_length": 131072, ...},
    ///  "capabilities": ["completion", "vision"], ...}
    /// ```
    struct ShowResponse: Decodable, Sendable {
        var contextLength: Int?
        /// `nil` when this Ollama does not report capabilities.
        var capabilities: [String]?

        private enum CodingKeys: String, CodingKey {
            case modelInfo = "model_info"
            case capabilities
        }

        private struct InfoKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.capabilities = try? container.decodeIfPresent([String].self, forKey: .capabilities)
            guard container.contains(.modelInfo), try !container.decodeNil(forKey: .modelInfo) else {
                return
            }
            let info = try container.nestedContainer(keyedBy: InfoKey.self, forKey: .modelInfo)
            // The other values are of every type (numbers, texts, huge token arrays): only the
            // context length is decoded.
            for key in info.allKeys where key.stringValue.hasSuffix(".context_length") {
                if let value = try? info.decode(Int.self, forKey: key) {
                    self.contextLength = value
                    return
                }
            }
        }
    }
}
