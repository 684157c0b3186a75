import NIOCore

/// Splits a byte stream into lines at LF, dropping a CR right before it. The stream arrives
/// in arbitrary chunks: a line (and a UTF-8 sequence in it) may span any number of them, so
/// bytes are only turned into text once a whole line is there.
///
/// Used for Ollama's NDJSON and for the lines of server-sent events.
struct LLMLineSplitter {
    private var buffer = ByteBuffer()
    /// How many readable bytes at the front of `buffer` are known to hold no LF.
    private var scannedByteCount = 0

    /// Bytes received but not yet returned as a line.
    var bufferedByteCount: Int { self.buffer.readableBytes }

    mutating func append(_ chunk: ByteBuffer) {
        if self.buffer.readableBytes == 0 {
            // The common case when chunks end at line ends: no copy.
            self.buffer = chunk
            self.scannedByteCount = 0
        } else {
            var chunk = chunk
            self.buffer.discardReadBytes()
            self.buffer.writeBuffer(&chunk)
        }
    }

    /// The next complete line without its terminator, or `nil` when no LF has arrived yet.
    mutating func nextLine() -> ByteBuffer? {
        let view = self.buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: self.scannedByteCount)
        guard let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            self.scannedByteCount = view.count
            return nil
        }
        let length = view.distance(from: view.startIndex, to: newline)
        self.scannedByteCount = 0
        // `length` readable bytes exist before the LF, so neither read can fail.
        guard var line = self.buffer.readSlice(length: length) else { return nil }
        self.buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        return line
    }

    /// After the end of the stream: the last line when it had no LF, once; then `nil`.
    mutating func finish() -> ByteBuffer? {
        guard self.buffer.readableBytes > 0 else { return nil }
        var line = self.buffer
        self.buffer.clear()
        self.scannedByteCount = 0
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        return line
    }
}

extension ByteBuffer {
    /// Whether the readable bytes are only spaces and tabs (or none).
    var isBlankLLMLine: Bool {
        self.readableBytesView.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }
}
