import NIOCore

/// A complete response: a status line and, for the multi-line codes, a data block.
///
/// ```
/// response = status-code SP status-text CRLF [multi-line-data-block]
/// ```
///
/// The server writes its large responses (articles, overview batches) with the `ByteBuffer`
/// encoders directly; this value is for small responses and for tests.
///
/// - SeeAlso: [RFC 3977 §3.2](https://datatracker.ietf.org/doc/html/rfc3977#section-3.2)
public struct NNTPResponse: Hashable, Sendable {
    /// The status code.
    public var status: NNTPStatus
    /// The text after the code; never sent empty.
    public var text: String
    /// The lines of the data block (not dot-stuffed, without CRLF), or `nil` for none.
    public var lines: [String]?

    /// Creates a response.
    public init(_ status: NNTPStatus, _ text: String, lines: [String]? = nil) {
        self.status = status
        self.text = text
        self.lines = lines
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes `response`: the status line, then the dot-stuffed lines and `.` CRLF if it has a
    /// data block.
    @discardableResult
    public mutating func writeNNTPResponse(_ response: NNTPResponse) -> Int {
        var size = self.writeNNTPStatusLine(response.status, response.text)
        if let lines = response.lines {
            for line in lines {
                size += self.writeNNTPDataLine(line)
            }
            size += self.writeNNTPTerminator()
        }
        return size
    }
}

// MARK: - CustomStringConvertible

extension NNTPResponse: CustomStringConvertible {
    public var description: String {
        var buffer = ByteBuffer()
        buffer.writeNNTPResponse(self)
        return String(buffer: buffer)
    }
}
