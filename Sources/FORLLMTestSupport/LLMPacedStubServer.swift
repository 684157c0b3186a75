import NIOCore
import NIOHTTP1
import NIOPosix

/// A loopback LLM server whose streamed answer moves on only when the test says so: for tests
/// of timing (the inactivity timeout, progress reports) that must not depend on how fast the
/// machine is. With the client on a ``ManualClock``, every silence is exactly as long as the
/// test makes it.
///
/// It answers one chat request with the stream ``LLMStubServer`` would send for
/// `.answer(pieces)` (the same lines, whole lines per write): the status line, the headers and
/// OpenAI's role chunk at once; then each piece only after a ``release()``, and the end of the
/// stream after one more.
///
/// ```swift
/// let stub = LLMPacedStubServer(.ollama, pieces: ["Hel", "lo"])
/// try await stub.start()
/// async let answer = client.chat(request, progress: ...)
/// await stub.release()                      // "Hel"
/// clock.advance(by: .milliseconds(900))     // a silence the client measures on its clock
/// await stub.release()                      // "lo"
/// await stub.release()                      // the done line
/// #expect(await stub.waitForChatOutcome() == .completed)
/// await stub.shutdown()
/// ```
public actor LLMPacedStubServer {
    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    private typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    /// The API this stub speaks.
    public nonisolated let wireFormat: LLMStubServer.WireFormat
    /// The content pieces of the answer.
    public nonisolated let pieces: [String]
    /// The port, once ``start()`` returned; 0 before.
    public private(set) var port = 0
    /// How the chat ended, once it did.
    public private(set) var chatOutcome: LLMStubChatOutcome?

    /// One gate per piece and one for the end of the stream; ``release()`` opens the next.
    private let gates: [(stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)]
    private var released = 0
    private var listener: HTTPStubListener?
    private var serverTask: Task<Void, Never>?
    private var outcomeWaiters: [CheckedContinuation<LLMStubChatOutcome, Never>] = []

    /// A stub speaking `wireFormat` whose answer is `pieces`.
    public init(_ wireFormat: LLMStubServer.WireFormat, pieces: [String]) {
        self.wireFormat = wireFormat
        self.pieces = pieces
        self.gates = (0...pieces.count).map { _ in AsyncStream.makeStream(of: Void.self) }
    }

    /// Binds `127.0.0.1` on a free port, starts serving and returns the port.
    @discardableResult
    public func start() async throws -> Int {
        precondition(self.listener == nil, "LLMPacedStubServer.start() called twice")
        let listener = try await HTTPStubListener.bind(port: 0)
        self.listener = listener
        self.port = listener.port
        self.serverTask = Task {
            await self.serve(listener)
        }
        return self.port
    }

    /// Opens every gate, closes the listener and every connection, and waits until they are closed.
    public func shutdown() async {
        for gate in self.gates {
            gate.continuation.finish()
        }
        self.serverTask?.cancel()
        await self.listener?.close()
        await self.serverTask?.value
        self.serverTask = nil
    }

    /// Ollama: `http://127.0.0.1:PORT`; OpenAI: `http://127.0.0.1:PORT/v1`.
    public var baseURL: String {
        switch self.wireFormat {
        case .ollama:
            return "http://127.0.0.1:\(self.port)"
        case .openai:
            return "http://127.0.0.1:\(self.port)/v1"
        }
    }

    /// Lets the next piece go out; after the last piece, the end of the stream.
    public func release() {
        guard self.released < self.gates.count else { return }
        self.gates[self.released].continuation.finish()
        self.released += 1
    }

    /// Suspends until the chat ended; returns how.
    public func waitForChatOutcome() async -> LLMStubChatOutcome {
        if let outcome = self.chatOutcome {
            return outcome
        }
        return await withCheckedContinuation { continuation in
            self.outcomeWaiters.append(continuation)
        }
    }

    // MARK: - Serving

    private func gate(_ index: Int) -> AsyncStream<Void> {
        self.gates[index].stream
    }

    private func finishChat(_ outcome: LLMStubChatOutcome) {
        self.chatOutcome = outcome
        for waiter in self.outcomeWaiters {
            waiter.resume(returning: outcome)
        }
        self.outcomeWaiters = []
    }

    private nonisolated func serve(_ listener: HTTPStubListener) async {
        // Cancellation by `shutdown()`, or the listener failed: either way it is closed now.
        try? await listener.serve { connection in await self.handle(connection) }
    }

    /// Answers every complete request on `connection` with the paced chat stream.
    private nonisolated func handle(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body.clear()
                    case .body(var chunk):
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let requestHead = head else { continue }
                        let request = LLMStubRequest(head: requestHead, body: body)
                        let outcome = await self.answer(request, channel: connection.channel, outbound: outbound)
                        await self.finishChat(outcome)
                        return
                    }
                }
            }
        } catch {
            // The client went away; the outcome says so.
        }
    }

    private nonisolated func answer(
        _ request: LLMStubRequest,
        channel: any Channel,
        outbound: Outbound
    ) async -> LLMStubChatOutcome {
        let plan = LLMStubChatPlan(
            wireFormat: self.wireFormat,
            request: request,
            behaviour: .answer(self.pieces),
            includeUsage: true
        )
        let lines: LLMStubStreamLines
        var headers = HTTPHeaders()
        switch self.wireFormat {
        case .ollama:
            lines = LLMStubServer.ollamaStreamLines(plan)
            headers.add(name: "Content-Type", value: "application/x-ndjson")
        case .openai:
            lines = LLMStubServer.openAIStreamLines(plan)
            headers.add(name: "Content-Type", value: "text/event-stream")
        }
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Connection", value: "close")
        do {
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
            for line in lines.preamble {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(string: line))))
            }
            for (index, line) in lines.pieces.enumerated() {
                guard await LLMStubServer.wait(for: self.gate(index), unlessClosed: channel) else {
                    return .clientClosedConnection
                }
                try await outbound.write(.body(.byteBuffer(ByteBuffer(string: line))))
            }
            guard await LLMStubServer.wait(for: self.gate(lines.pieces.count), unlessClosed: channel) else {
                return .clientClosedConnection
            }
            for line in lines.ending {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(string: line))))
            }
            try await outbound.write(.end(nil))
            return .completed
        } catch {
            // A write to a connection the client closed.
            return .clientClosedConnection
        }
    }
}
