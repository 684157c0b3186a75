import NIOCore
import NIOHTTP1

/// One HTTP request a stub server received, as it came: for asserting on what a client sent.
public struct LLMStubRequest: Hashable, Sendable {
    /// One header line.
    public struct Header: Hashable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `GET`, `POST`, ...
    public var method: String
    /// The path without the query: `/api/chat`, `/v1/chat/completions`.
    public var path: String
    /// The headers in the order received.
    public var headers: [Header]
    /// The body as text (UTF-8, invalid bytes replaced).
    public var body: String
    /// The body parsed as JSON; `nil` when it is empty or not JSON.
    public var json: LLMStubJSON?

    public init(method: String, path: String, headers: [Header], body: String) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.json = LLMStubJSON.parse(body)
    }

    /// A request as the stub servers read it: head and body; the path without its query.
    init(head: HTTPRequestHead, body: ByteBuffer) {
        self.init(
            method: head.method.rawValue,
            path: head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
                ?? head.uri,
            headers: head.headers.map { Header(name: $0.name, value: $0.value) },
            body: String(buffer: body)
        )
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowercased = name.lowercased()
        return self.headers.first { $0.name.lowercased() == lowercased }?.value
    }

    /// `model` of the JSON body.
    public var model: String? {
        self.json?["model"]?.stringValue
    }

    /// `messages` of the JSON body as (role, content) pairs, in order; an OpenAI content array
    /// (text and `image_url` parts) gives its text parts, joined (``LLMStubRequest/images(ofMessage:)``
    /// has the images).
    public var messages: [LLMStubMessage] {
        (self.json?["messages"]?.arrayValue ?? []).map {
            LLMStubMessage(role: $0["role"]?.stringValue ?? "", content: Self.text(ofContent: $0["content"]))
        }
    }

    /// Whether this is a chat request (`POST /api/chat` or `POST .../chat/completions`).
    public var isChat: Bool {
        self.method == "POST" && (self.path == "/api/chat" || self.path.hasSuffix("/chat/completions"))
    }
}

/// One chat message of a recorded request.
public struct LLMStubMessage: Hashable, Sendable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// How a stub server's answer to a chat request ended.
public enum LLMStubChatOutcome: Hashable, Sendable {
    /// The whole scripted answer was sent, through the final `done` line or `data: [DONE]`.
    case completed
    /// An HTTP error status with its body was sent.
    case sentHTTPError
    /// The answer ended with an error line (Ollama) or error event (OpenAI), as scripted.
    case sentStreamError
    /// The stub closed the connection mid-answer, as scripted.
    case disconnectedAsScripted
    /// The client closed the connection before the answer was complete (cancellation,
    /// timeout), or the stub was shut down.
    case clientClosedConnection
}
