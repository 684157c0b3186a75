import NIOCore

/// Collects a response and hands it to the connection in as few writes as possible.
///
/// A response is written whole when it is done (``flush()``), so a status line and its data
/// block travel in one write; only a response that outgrows `chunkSize` (a large `OVER` or
/// `LISTGROUP`) goes out in chunks of about that size as it is produced.
public struct NNTPResponseWriter {
    /// An error from the write function, i.e. from the connection.
    public struct WriteError: Error {
        public var underlying: any Error
    }

    /// The bytes not yet handed over; responses are written into it.
    public var buffer: ByteBuffer
    /// Whether part of the current response has already been handed over.
    public private(set) var hasFlushed = false
    private let chunkSize: Int
    private let write: @Sendable (ByteBuffer) async throws -> Void

    /// Creates a writer that hands bytes to `write`.
    public init(chunkSize: Int, write: @escaping @Sendable (ByteBuffer) async throws -> Void) {
        self.buffer = ByteBuffer()
        self.chunkSize = chunkSize
        self.write = write
    }

    /// Hands a chunk over if the buffer has grown to the chunk size.
    public mutating func flushIfFull() async throws(WriteError) {
        if self.buffer.readableBytes >= self.chunkSize {
            try await self.handOver()
            self.hasFlushed = true
        }
    }

    /// Hands over what is buffered: the end of a response.
    public mutating func flush() async throws(WriteError) {
        if self.buffer.readableBytes > 0 {
            try await self.handOver()
        }
        self.hasFlushed = false
    }

    /// Drops what is buffered and not yet handed over.
    public mutating func discard() {
        self.buffer = ByteBuffer()
    }

    private mutating func handOver() async throws(WriteError) {
        let chunk = self.buffer
        self.buffer = ByteBuffer()
        do {
            try await self.write(chunk)
        } catch {
            throw WriteError(underlying: error)
        }
    }
}
