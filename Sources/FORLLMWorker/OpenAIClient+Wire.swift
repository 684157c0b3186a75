/// The OpenAI chat completions JSON, as far as FORLLM uses it and as OpenAI-compatible servers
/// (llama.cpp server, LM Studio, vLLM, llama-cpp-python) send it.
///
/// - SeeAlso: [OpenAI chat streaming](https://platform.openai.com/docs/api-reference/chat-streaming)
enum OpenAIWire {
    /// `POST {base}/chat/completions`:
    /// ```
    /// {"model": "qwen2.5", "messages": [...], "stream": true,
    ///  "stream_options": {"include_usage": true}, "temperature": 0.7, "max_tokens": 512}
    /// ```
    /// A message with pictures has an array as its content (OpenAI's vision input, which
    /// llama.cpp server, vLLM and LM Studio accept); every other message keeps a plain string:
    /// ```
    /// {"role": "user", "content": [{"type": "text", "text": "..."},
    ///   {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO..."}}]}
    /// ```
    struct ChatRequest: Encodable, Sendable {
        var model: String
        var messages: [Message]
        var stream: Bool
        var streamOptions: StreamOptions
        var temperature: Double?
        var maxTokens: Int?

        struct StreamOptions: Encodable, Sendable {
            var includeUsage: Bool

            enum CodingKeys: String, CodingKey {
                case includeUsage = "include_usage"
            }
        }

        enum CodingKeys: String, CodingKey {
            case model, messages, stream, temperature
            case streamOptions = "stream_options"
            case maxTokens = "max_tokens"
        }

        /// One message: `content` a string, or the parts when there are images.
        struct Message: Encodable, Sendable {
            var message: LLMMessage

            init(_ message: LLMMessage) {
                self.message = message
            }

            private enum CodingKeys: String, CodingKey {
                case role, content
            }

            private enum PartKeys: String, CodingKey {
                case type, text
                case imageURL = "image_url"
            }

            private enum ImageURLKeys: String, CodingKey {
                case url
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(self.message.role, forKey: .role)
                guard !self.message.images.isEmpty else {
                    try container.encode(self.message.content, forKey: .content)
                    return
                }
                var parts = container.nestedUnkeyedContainer(forKey: .content)
                var text = parts.nestedContainer(keyedBy: PartKeys.self)
                try text.encode("text", forKey: .type)
                try text.encode(self.message.content, forKey: .text)
                for image in self.message.images {
                    var part = parts.nestedContainer(keyedBy: PartKeys.self)
                    try part.encode("image_url", forKey: .type)
                    var url = part.nestedContainer(keyedBy: ImageURLKeys.self, forKey: .imageURL)
                    try url.encode(image.dataURL, forKey: .url)
                }
            }
        }
    }

    /// The data of one server-sent event:
    /// ```
    /// {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}
    /// {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}
    /// {"id":"chatcmpl-1","choices":[],"usage":{"prompt_tokens":26,"completion_tokens":290}}
    /// {"error":{"message":"...","type":"server_error"}}
    /// {"object":"error","message":"...","type":"BadRequestError","code":400}     (older vLLM)
    /// ```
    struct ChatChunk: Decodable, Sendable {
        var choices: [Choice]?
        var usage: Usage?
        /// llama.cpp's server, on the last chunk: `{"cache_n": 1610, "prompt_n": 224, ...}`.
        var timings: Timings?
        var error: LLMErrorField?
        var object: String?
        var message: String?

        struct Choice: Decodable, Sendable {
            var delta: Delta?
            var finishReason: String?

            enum CodingKeys: String, CodingKey {
                case delta
                case finishReason = "finish_reason"
            }
        }

        struct Delta: Decodable, Sendable {
            var content: String?
        }

        struct Timings: Decodable, Sendable {
            /// Prompt tokens taken from the slot's cache.
            var cacheN: Int?
            /// Prompt tokens evaluated.
            var promptN: Int?

            enum CodingKeys: String, CodingKey {
                case cacheN = "cache_n"
                case promptN = "prompt_n"
            }
        }

        struct Usage: Decodable, Sendable {
            var promptTokens: Int?
            var completionTokens: Int?
            /// `{"cached_tokens": 1610}` (OpenAI, vLLM with prefix caching).
            var promptTokensDetails: PromptTokensDetails?

            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
                case promptTokensDetails = "prompt_tokens_details"
            }

            struct PromptTokensDetails: Decodable, Sendable {
                var cachedTokens: Int?

                enum CodingKeys: String, CodingKey {
                    case cachedTokens = "cached_tokens"
                }
            }
        }
    }

    /// `GET {base}/models`; llama.cpp server adds `meta` with the trained context length:
    /// ```
    /// {"object": "list", "data": [{"id": "qwen2.5", "object": "model", "meta": {"n_ctx_train": 32768}}]}
    /// ```
    struct ModelList: Decodable, Sendable {
        var data: [Model]

        struct Model: Decodable, Sendable {
            var id: String
            var meta: Meta?

            enum CodingKeys: String, CodingKey {
                case id, meta
            }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                self.id = try container.decode(String.self, forKey: .id)
                // Only llama.cpp sends `meta`; whatever another server puts there must not
                // make the whole list unreadable.
                self.meta = try? container.decodeIfPresent(Meta.self, forKey: .meta)
            }
        }

        struct Meta: Decodable, Sendable {
            var nCtxTrain: Int?

            enum CodingKeys: String, CodingKey {
                case nCtxTrain = "n_ctx_train"
            }
        }
    }
}
