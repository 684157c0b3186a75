import Foundation

/// The OpenAI chat completions API as the stub speaks it (shaped like llama.cpp server).
///
/// - SeeAlso: [OpenAI chat streaming](https://platform.openai.com/docs/api-reference/chat-streaming)
extension LLMStubServer {
    func routeOpenAI(_ request: LLMStubRequest) -> LLMStubPlan {
        if let key = self.requiredAPIKey, request.header("Authorization") != "Bearer \(key)" {
            let message = "Incorrect API key provided"
            if request.isChat {
                return .chat(
                    LLMStubChatPlan(
                        wireFormat: .openai,
                        request: request,
                        behaviour: .httpError(status: 401, message: message)
                    )
                )
            }
            return .plain(
                status: 401,
                contentType: "application/json; charset=utf-8",
                body: Self.openAIErrorBody(status: 401, message: message)
            )
        }
        switch (request.method, request.path) {
        case ("GET", "/v1/models"):
            let data: [LLMStubJSON] = self.models.map { model in
                var entry: [String: LLMStubJSON] = [
                    "id": .string(model.name),
                    "object": "model",
                    "created": 0,
                    "owned_by": "stub"
                ]
                if let contextLength = model.contextLength {
                    entry["meta"] = ["n_ctx_train": .number(Double(contextLength)), "n_params": 3_212_749_888]
                }
                return .object(entry)
            }
            let body: LLMStubJSON = ["object": "list", "data": .array(data)]
            return .plain(status: 200, contentType: "application/json; charset=utf-8", body: body.jsonText)
        case ("POST", "/v1/chat/completions"):
            let name = request.model ?? ""
            guard self.model(named: name) != nil else {
                let body: LLMStubJSON = [
                    "error": [
                        "message": .string("The model `\(name)` does not exist."),
                        "type": "invalid_request_error",
                        "param": nil,
                        "code": "model_not_found"
                    ]
                ]
                return .chat(
                    LLMStubChatPlan(
                        wireFormat: .openai,
                        request: request,
                        behaviour: .httpError(status: 404, rawBody: body.jsonText)
                    )
                )
            }
            guard request.json?["stream"]?.boolValue == true else {
                return .chat(
                    LLMStubChatPlan(
                        wireFormat: .openai,
                        request: request,
                        behaviour: .httpError(status: 400, message: "the stub answers streaming requests only")
                    )
                )
            }
            let includeUsage = self.sendsUsage && request.json?["stream_options"]?["include_usage"]?.boolValue == true
            return .chat(
                LLMStubChatPlan(
                    wireFormat: .openai,
                    request: request,
                    behaviour: self.nextBehaviour(forModel: name),
                    includeUsage: includeUsage
                )
            )
        default:
            return .plain(
                status: 404,
                contentType: "application/json; charset=utf-8",
                body: Self.openAIErrorBody(status: 404, message: "File Not Found")
            )
        }
    }

    /// `{"error": {"message": ..., "type": ..., "code": status}}`
    static func openAIErrorBody(status: Int, message: String) -> String {
        let type: LLMStubJSON
        switch status {
        case 401, 403:
            type = "authentication_error"
        case 404:
            type = "not_found_error"
        case 500...:
            type = "server_error"
        default:
            type = "invalid_request_error"
        }
        let body: LLMStubJSON = ["error": ["message": .string(message), "type": type, "code": .number(Double(status))]]
        return body.jsonText
    }

    /// A role chunk, a chunk per piece, then the finish chunk, the usage chunk (when asked for
    /// and offered) and `data: [DONE]`; or an error event.
    static func openAIStreamLines(_ plan: LLMStubChatPlan) -> LLMStubStreamLines {
        let behaviour = plan.behaviour
        func event(_ data: String) -> String {
            var text = ""
            if behaviour.sendsSSEExtras {
                text += ": stub keep-alive\nevent: message\n"
            }
            text += "data: \(data)\n\n"
            if behaviour.usesCRLF {
                text = text.replacingOccurrences(of: "\n", with: "\r\n")
            }
            return text
        }
        func chunk(delta: LLMStubJSON, finishReason: LLMStubJSON) -> String {
            let json: LLMStubJSON = [
                "id": "chatcmpl-stub",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": .string(plan.model),
                "choices": [["index": 0, "delta": delta, "finish_reason": finishReason]]
            ]
            return event(json.jsonText)
        }
        let preamble = [chunk(delta: ["role": "assistant", "content": ""], finishReason: nil)]
        let pieces = plan.pieces.map { chunk(delta: ["content": .string($0)], finishReason: nil) }
        var ending: [String] = []
        switch behaviour.ending {
        case .done:
            if let cached = behaviour.cachedPromptTokens {
                // As llama.cpp's server ends a stream: the finish chunk carries `timings`.
                let json: LLMStubJSON = [
                    "id": "chatcmpl-stub",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": .string(plan.model),
                    "choices": [["index": 0, "delta": [:], "finish_reason": .string(behaviour.finishReason)]],
                    "timings": [
                        "cache_n": .number(Double(cached)),
                        "prompt_n": .number(Double(plan.promptTokens - cached)),
                        "predicted_n": .number(Double(plan.completionTokens))
                    ]
                ]
                ending.append(event(json.jsonText))
            } else {
                ending.append(chunk(delta: [:], finishReason: .string(behaviour.finishReason)))
            }
            if plan.includeUsage {
                let usage: LLMStubJSON = [
                    "id": "chatcmpl-stub",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": .string(plan.model),
                    "choices": [],
                    "usage": [
                        "prompt_tokens": .number(Double(plan.promptTokens)),
                        "completion_tokens": .number(Double(plan.completionTokens)),
                        "total_tokens": .number(Double(plan.promptTokens + plan.completionTokens)),
                        "prompt_tokens_details": behaviour.cachedPromptTokens.map {
                            ["cached_tokens": .number(Double($0))]
                        } ?? .null
                    ]
                ]
                ending.append(event(usage.jsonText))
            }
            ending.append(event("[DONE]"))
        case .streamError(let message):
            let error: LLMStubJSON = ["error": ["message": .string(message), "type": "server_error", "code": 500]]
            ending.append(event(error.jsonText))
        case .disconnect, .repeatForever:
            break
        }
        return LLMStubStreamLines(preamble: preamble, pieces: pieces, ending: ending)
    }
}
