import NIOCore

/// A server reply: a code, an optional enhanced status code, and one or more lines of text.
///
/// ```
/// Reply-line = *( Reply-code "-" [ textstring ] CRLF )
///              Reply-code [ SP textstring ] CRLF
/// ```
///
/// A reply of several lines is written in the `250-` form: every line but the last has a `-`
/// after the code. The enhanced status code, when present, begins the text of every line
/// (RFC 2034 §4).
///
/// - SeeAlso: [RFC 5321 §4.2](https://datatracker.ietf.org/doc/html/rfc5321#section-4.2)
public struct SMTPReply: Hashable, Sendable {
    /// The reply code.
    public var code: SMTPReplyCode
    /// The enhanced status code; `nil` for the greeting, `EHLO`/`HELO` and `354` (RFC 2034 §3).
    public var enhancedCode: SMTPEnhancedStatusCode?
    /// The lines of text, at least one (which may be empty).
    public var lines: [String]

    /// Creates a reply of one or more lines.
    public init(_ code: SMTPReplyCode, _ enhancedCode: SMTPEnhancedStatusCode? = nil, lines: [String]) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines.isEmpty ? [""] : lines
    }

    /// Creates a reply of one line.
    public init(_ code: SMTPReplyCode, _ enhancedCode: SMTPEnhancedStatusCode? = nil, _ text: String) {
        self.init(code, enhancedCode, lines: [text])
    }

    /// Creates a reply of one line without an enhanced status code.
    public init(_ code: SMTPReplyCode, _ text: String) {
        self.init(code, nil, lines: [text])
    }

    /// Whether the code is 2xx or 3xx.
    public var isPositive: Bool {
        self.code.rawValue < 400
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes `reply`, every line `code` + `-` (or SP on the last) + text + CRLF.
    ///
    /// CR, LF and NUL in the text become spaces, so a reply is always the lines it says it is.
    /// A line with no text (and no enhanced code) is the bare code, as the ABNF allows.
    @discardableResult
    public mutating func writeSMTPReply(_ reply: SMTPReply) -> Int {
        var size = 0
        for (index, line) in reply.lines.enumerated() {
            let isLast = index == reply.lines.count - 1
            size += self.writeString(String(reply.code.rawValue))
            var text = reply.enhancedCode.map { "\($0)" } ?? ""
            if !line.isEmpty {
                text += text.isEmpty ? line : " " + line
            }
            if text.isEmpty {
                if !isLast {
                    size += self.writeInteger(UInt8(ascii: "-"))
                }
            } else {
                size += self.writeInteger(isLast ? UInt8(ascii: " ") : UInt8(ascii: "-"))
                for byte in text.utf8 {
                    let isControl = byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == 0
                    size += self.writeInteger(isControl ? UInt8(ascii: " ") : byte)
                }
            }
            size += self.writeString("\r\n")
        }
        return size
    }
}

// MARK: - CustomStringConvertible

extension SMTPReply: CustomStringConvertible {
    /// The reply as on the wire, CRLF line ends included.
    public var description: String {
        var buffer = ByteBuffer()
        buffer.writeSMTPReply(self)
        return String(buffer: buffer)
    }
}
