import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Encoders for responses: status lines and multi-line data blocks.
///
/// ```
/// response = simple-response / multi-line-response
/// simple-response = initial-response-line
/// multi-line-response = initial-response-line multi-line-data-block
/// multi-line-data-block = 0*content-line termination
/// content-line = [content-text] CRLF      ; dot-stuffed
/// termination = "." CRLF
/// ```
///
/// Dot-stuffing (a `.` added in front of every line that starts with `.`) and the terminating
/// line are written here and nowhere else.
///
/// - SeeAlso: [RFC 3977 §3.1.1](https://datatracker.ietf.org/doc/html/rfc3977#section-3.1.1)
extension ByteBuffer {
    private static func isLineBreakOrNUL(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == 0
    }

    /// Writes `code SP text CRLF`. An empty text becomes `-`, and CR, LF and NUL in `text`
    /// become spaces, so the line is always `^\d{3} .+\r\n`.
    @discardableResult
    public mutating func writeNNTPStatusLine(_ status: NNTPStatus, _ text: String) -> Int {
        var size = self.writeString(String(status.rawValue))
        size += self.writeInteger(UInt8(ascii: " "))
        if text.isEmpty {
            size += self.writeInteger(UInt8(ascii: "-"))
        } else if text.utf8.contains(where: Self.isLineBreakOrNUL) {
            for byte in text.utf8 {
                size += self.writeInteger(Self.isLineBreakOrNUL(byte) ? UInt8(ascii: " ") : byte)
            }
        } else {
            // The usual case, in one copy: a status line is written for every command.
            size += self.writeString(text)
        }
        size += self.writeStaticString("\r\n")
        return size
    }

    /// Writes one line of a data block, dot-stuffed, then CRLF. `line` must not contain CR or LF.
    @discardableResult
    public mutating func writeNNTPDataLine(_ line: String) -> Int {
        self.writeNNTPDataLine(bytes: line.utf8)
    }

    /// Writes one line of a data block, dot-stuffed, then CRLF. `bytes` must not contain CR or LF.
    @discardableResult
    public mutating func writeNNTPDataLine(bytes: some Collection<UInt8>) -> Int {
        var size = 0
        if bytes.first == UInt8(ascii: ".") {
            size += self.writeInteger(UInt8(ascii: "."))
        }
        size += self.writeBytes(bytes)
        size += self.writeStaticString("\r\n")
        return size
    }

    /// Writes the terminating line of a data block, `.` CRLF.
    @discardableResult
    public mutating func writeNNTPTerminator() -> Int {
        self.writeStaticString(".\r\n")
    }

    /// Writes text that is already in CRLF lines (an article, its head or its body) as the
    /// content of a data block: every line that starts with `.` gets another `.`, a bare LF
    /// becomes CRLF, and a missing final line ending is added. The terminator is not written.
    ///
    /// This is the fast path for articles: it finds each LF with `memchr` in the text's bytes
    /// and copies the runs in between, so a clean article without lines starting with `.` is
    /// copied in one piece. (Searching a `ByteBufferView` slice per line went byte by byte
    /// through the view and was the largest part of an `ARTICLE` that FORLLM adds to the
    /// copy itself.) `text` may share storage with this buffer: it holds its own reference,
    /// so its bytes stay put while this buffer grows or copies on write.
    @discardableResult
    public mutating func writeNNTPDotStuffed(_ text: ByteBuffer) -> Int {
        text.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                return 0
            }
            let count = bytes.count
            var size = 0
            var runStart = 0
            if bytes[0] == UInt8(ascii: ".") {
                size += self.writeInteger(UInt8(ascii: "."))
            }
            var searchStart = 0
            while searchStart < count,
                let found = memchr(base + searchStart, Int32(UInt8(ascii: "\n")), count - searchStart)
            {
                let newline = base.distance(to: UnsafeRawPointer(found))
                if newline == 0 || bytes[newline - 1] != UInt8(ascii: "\r") {
                    size += self.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<newline]))
                    size += self.writeInteger(UInt8(ascii: "\r"))
                    runStart = newline
                }
                let following = newline + 1
                guard following < count else {
                    break
                }
                if bytes[following] == UInt8(ascii: ".") {
                    size += self.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<following]))
                    size += self.writeInteger(UInt8(ascii: "."))
                    runStart = following
                }
                searchStart = following
            }
            size += self.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
            if bytes[count - 1] != UInt8(ascii: "\n") {
                size += self.writeStaticString("\r\n")
            }
            return size
        }
    }
}
