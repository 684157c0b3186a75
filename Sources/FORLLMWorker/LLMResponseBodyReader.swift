import AsyncHTTPClient
import Logging
import NIOCore

/// The body of a response as chunks or lines; every chunk resets the inactivity timeout.
struct LLMResponseBodyReader {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var splitter = LLMLineSplitter()
    private var ended = false
    private let watchdog: LLMInactivityWatchdog
    private let transport: LLMHTTPTransport

    init(iterator: HTTPClientResponse.Body.AsyncIterator, watchdog: LLMInactivityWatchdog, transport: LLMHTTPTransport)
    {
        self.iterator = iterator
        self.watchdog = watchdog
        self.transport = transport
    }

    /// The next chunk as it came off the wire; `nil` at the end of the body.
    mutating func nextChunk() async throws -> ByteBuffer? {
        if self.ended {
            return nil
        }
        let chunk: ByteBuffer?
        do {
            chunk = try await self.iterator.next()
        } catch {
            throw self.transport.transportError(error, connected: true)
        }
        self.watchdog.touch()
        if chunk == nil {
            self.ended = true
        }
        return chunk
    }

    /// The next line without its line end (LF or CRLF), however the chunks split it; at the
    /// end of the body the last line even without a line end; then `nil`.
    mutating func nextLine() async throws -> ByteBuffer? {
        while true {
            if let line = self.splitter.nextLine() {
                return line
            }
            guard let chunk = try await self.nextChunk() else {
                return self.splitter.finish()
            }
            self.splitter.append(chunk)
            if self.splitter.bufferedByteCount > LLMHTTPTransport.maximumLineBytes {
                throw LLMError(
                    .invalidResponse,
                    "\(self.transport.serverLabel): a line of the stream is longer than "
                        + "\(LLMHTTPTransport.maximumLineBytes) bytes"
                )
            }
        }
    }

    /// The whole rest of the body; `invalidResponse` when it exceeds `maximumBytes`.
    mutating func collect(upTo maximumBytes: Int) async throws -> ByteBuffer {
        var result = ByteBuffer()
        while var chunk = try await self.nextChunk() {
            guard result.readableBytes + chunk.readableBytes <= maximumBytes else {
                throw LLMError(
                    .invalidResponse,
                    "\(self.transport.serverLabel): response larger than \(maximumBytes) bytes"
                )
            }
            result.writeBuffer(&chunk)
        }
        return result
    }

    /// Up to `maximumBytes` of the body as text (for error responses); the rest is read and dropped.
    mutating func collectText(upTo maximumBytes: Int) async throws -> String {
        var result = ByteBuffer()
        while var chunk = try await self.nextChunk() {
            let room = maximumBytes - result.readableBytes
            if room > 0, let slice = chunk.readSlice(length: min(room, chunk.readableBytes)) {
                var slice = slice
                result.writeBuffer(&slice)
            }
        }
        return String(decoding: result.readableBytesView, as: UTF8.self)
    }

    /// Reads the body to its end so the connection can be reused; failures no longer matter
    /// because the answer is complete.
    mutating func drain() async {
        do {
            while try await self.nextChunk() != nil {}
        } catch {
            self.transport.logger.debug(
                "LLM stream broke after the answer was complete",
                metadata: ["llm.backend": "\(self.transport.configuration.name)", "llm.error": "\(error)"]
            )
        }
    }
}
