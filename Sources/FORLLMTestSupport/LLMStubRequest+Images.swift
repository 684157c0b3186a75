/// The images of a recorded chat request, as either wire format carries them.
extension LLMStubRequest {
    /// One image as a message carried it.
    public struct Image: Hashable, Sendable {
        /// `image/png` from an OpenAI `data:` URL; `nil` for Ollama (which sends base64 only).
        public var mediaType: String?
        /// The base64 text.
        public var base64: String
        /// How it came: `ollama` (`images` array) or `openai` (`image_url` part).
        public var form: String
    }

    /// The images of message `index` (Ollama `images`: base64 strings; OpenAI content parts of
    /// type `image_url` with a `data:<type>;base64,` URL), in order.
    public func images(ofMessage index: Int) -> [Image] {
        guard let message = self.json?["messages"]?[index] else { return [] }
        var images: [Image] = []
        for value in message["images"]?.arrayValue ?? [] {
            if let base64 = value.stringValue { images.append(Image(mediaType: nil, base64: base64, form: "ollama")) }
        }
        for part in message["content"]?.arrayValue ?? [] where part["type"]?.stringValue == "image_url" {
            guard let url = part["image_url"]?["url"]?.stringValue, url.hasPrefix("data:"),
                let comma = url.firstIndex(of: ",")
            else { continue }
            let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            let mediaType = header.split(separator: ";").first.map(String.init)
            images.append(Image(mediaType: mediaType, base64: String(url[url.index(after: comma)...]), form: "openai"))
        }
        return images
    }

    /// Whether message `index` has its content as an array of parts (OpenAI with images).
    public func contentIsArray(ofMessage index: Int) -> Bool {
        self.json?["messages"]?[index]?["content"]?.arrayValue != nil
    }

    /// A message's `content`: the string, or the `text` parts of an array joined by newlines.
    static func text(ofContent content: LLMStubJSON?) -> String {
        if let text = content?.stringValue { return text }
        let parts = content?.arrayValue ?? []
        return parts.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }
            .joined(separator: "\n")
    }
}
