import Foundation

/// A picture sent with a chat message to a model that can see.
///
/// Ollama takes it base64-encoded in the message's `images` array; OpenAI-compatible servers
/// as an `image_url` content part holding a `data:` URL:
/// ```
/// {"role": "user", "content": "...", "images": ["iVBORw0KGgo..."]}
/// {"role": "user", "content": [{"type": "text", "text": "..."},
///                              {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO..."}}]}
/// ```
public struct LLMImage: Hashable, Sendable, Codable {
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
    public var mediaType: String
    /// The picture's bytes, base64-encoded (what both wire formats carry).
    public var base64: String

    /// A picture of `mediaType` from its bytes.
    public init(mediaType: String, bytes: some Collection<UInt8>) {
        self.mediaType = mediaType
        self.base64 = Data(bytes).base64EncodedString()
    }

    public init(mediaType: String, base64: String) {
        self.mediaType = mediaType
        self.base64 = base64
    }

    /// `data:image/png;base64,...` (RFC 2397), for OpenAI's `image_url`.
    public var dataURL: String {
        "data:" + self.mediaType + ";base64," + self.base64
    }
}
