import NIOCore

/// Assembles server-sent events from lines (the line ends already removed by
/// ``LLMLineSplitter``), following the WHATWG "event stream interpretation" rules:
///
/// ```
/// : a comment, ignored
/// event: name
/// data: {"choices":[...]}
/// data: a second data line is joined to the first with LF
/// <empty line: dispatch>
/// ```
///
/// llama.cpp server sends errors as `error: {json}` (a field name outside the standard); that
/// is read as data of an event of type `error`.
///
/// - SeeAlso: [HTML Living Standard §9.2.6](https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
struct LLMServerSentEventParser {
    struct Event: Equatable {
        /// The `event:` field; `nil` for the default type (`message`).
        var type: String?
        var data: ByteBuffer
    }

    private var eventType: String?
    private var data: ByteBuffer?

    /// Feeds one line; returns an event when the line completes one.
    mutating func feed(line: ByteBuffer) -> Event? {
        let view = line.readableBytesView
        if view.isEmpty {
            return self.dispatch()
        }
        if view.first == UInt8(ascii: ":") {
            return nil
        }
        var field: ByteBuffer
        var value: ByteBuffer
        if let colon = view.firstIndex(of: UInt8(ascii: ":")) {
            let fieldLength = view.distance(from: view.startIndex, to: colon)
            var rest = line
            field = rest.readSlice(length: fieldLength) ?? ByteBuffer()
            rest.moveReaderIndex(forwardBy: 1)
            if rest.readableBytesView.first == UInt8(ascii: " ") {
                rest.moveReaderIndex(forwardBy: 1)
            }
            value = rest
        } else {
            field = line
            value = ByteBuffer()
        }
        switch field.readString(length: field.readableBytes) ?? "" {
        case "data":
            self.appendData(&value)
        case "error":
            self.eventType = "error"
            self.appendData(&value)
        case "event":
            self.eventType = value.readString(length: value.readableBytes)
        default:
            // `id`, `retry` and unknown fields mean nothing to a chat stream.
            break
        }
        return nil
    }

    /// At the end of the stream: an event whose final empty line never came. Browsers drop
    /// it; a chat client keeps it, because some servers end with `data: [DONE]` and no blank line.
    mutating func finish() -> Event? {
        self.dispatch()
    }

    private mutating func appendData(_ value: inout ByteBuffer) {
        if self.data == nil {
            self.data = value
        } else {
            self.data?.writeInteger(UInt8(ascii: "\n"))
            self.data?.writeBuffer(&value)
        }
    }

    private mutating func dispatch() -> Event? {
        defer {
            self.data = nil
            self.eventType = nil
        }
        guard let data = self.data else { return nil }
        return Event(type: self.eventType, data: data)
    }
}
