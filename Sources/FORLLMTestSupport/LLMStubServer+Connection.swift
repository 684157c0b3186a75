import NIOCore
import NIOHTTP1

/// What the stub answers to one request.
enum LLMStubPlan: Sendable {
    /// A complete response with `Content-Length`.
    case plain(status: Int, contentType: String, body: String)
    /// A chat request, answered by its behaviour; counted in `inFlight` and `chatOutcomes`.
    case chat(LLMStubChatPlan)
}

/// A chat request with everything needed to answer it, decided on the actor.
struct LLMStubChatPlan: Sendable {
    var wireFormat: LLMStubServer.WireFormat
    var model: String
    var behaviour: LLMStubBehaviour
    /// The content pieces (the behaviour's, or the echo text in words).
    var pieces: [String]
    var promptTokens: Int
    var completionTokens: Int
    /// OpenAI: whether to send the usage chunk.
    var includeUsage: Bool

    init(
        wireFormat: LLMStubServer.WireFormat,
        request: LLMStubRequest,
        behaviour: LLMStubBehaviour,
        includeUsage: Bool = false
    ) {
        self.wireFormat = wireFormat
        self.model = request.model ?? ""
        self.behaviour = behaviour
        if case .answer(let pieces?) = behaviour.response {
            self.pieces = pieces
        } else {
            self.pieces = Self.echoPieces(for: request)
        }
        let characters = request.messages.reduce(0) { $0 + $1.content.count }
        self.promptTokens = behaviour.promptTokens ?? characters / 4
        self.completionTokens = behaviour.completionTokens ?? self.pieces.count
        self.includeUsage = includeUsage
    }

    /// `Answer to: <first line of the last user message>`, a word (and its space) per piece.
    static func echoPieces(for request: LLMStubRequest) -> [String] {
        let lastUser = request.messages.last { $0.role == "user" }?.content ?? ""
        let firstLine = lastUser.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let text = "Answer to: " + (firstLine.isEmpty ? "(nothing)" : firstLine)
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        return words.enumerated().map { index, word in
            index < words.count - 1 ? word + " " : String(word)
        }
    }
}

/// The lines of a streamed answer, each one NDJSON line or one whole SSE event with its line ends.
struct LLMStubStreamLines: Sendable {
    /// Sent first, without delay (OpenAI's role chunk).
    var preamble: [String]
    /// One per content piece, each after the behaviour's delay.
    var pieces: [String]
    /// After the pieces: the done line, or the error line; nothing for a disconnect.
    var ending: [String]
}

extension LLMStubServer {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    /// Accepts connections until the task is cancelled; one child task per connection.
    nonisolated func serve(_ listener: HTTPStubListener) async {
        do {
            try await listener.serve { connection in await self.handle(connection) }
        } catch {
            // Cancellation by `shutdown()`, or the listener failed: either way it is closed now.
            await self.noteConnectionError()
        }
    }

    /// Reads requests (keep-alive: several in a row) and answers each.
    nonisolated func handle(_ connection: Connection) async {
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
                        head = nil
                        let keepOpen = try await self.respond(
                            to: requestHead,
                            body: body,
                            channel: connection.channel,
                            outbound: outbound
                        )
                        if !keepOpen {
                            return
                        }
                    }
                }
            }
        } catch {
            // Clients going away mid-answer is what several tests are about; counted, not fatal.
            await self.noteConnectionError()
        }
    }

    /// Answers one request; returns whether the connection stays open for another.
    private nonisolated func respond(
        to head: HTTPRequestHead,
        body: ByteBuffer,
        channel: any Channel,
        outbound: Outbound
    ) async throws -> Bool {
        let request = LLMStubRequest(head: head, body: body)
        switch await self.plan(for: request) {
        case .plain(let status, let contentType, let text):
            try await Self.writeComplete(
                status: status,
                contentType: contentType,
                body: text,
                keepAlive: head.isKeepAlive,
                outbound: outbound
            )
            return head.isKeepAlive
        case .chat(let plan):
            let outcome = await self.answerChat(plan, keepAlive: head.isKeepAlive, channel: channel, outbound: outbound)
            await self.finishChat(outcome)
            switch outcome {
            case .completed, .sentHTTPError, .sentStreamError:
                return head.isKeepAlive
            case .disconnectedAsScripted, .clientClosedConnection:
                return false
            }
        }
    }

    private nonisolated func answerChat(
        _ plan: LLMStubChatPlan,
        keepAlive: Bool,
        channel: any Channel,
        outbound: Outbound
    ) async -> LLMStubChatOutcome {
        let behaviour = plan.behaviour
        do {
            if behaviour.waitsForGate {
                let (gate, continuation) = AsyncStream.makeStream(of: Void.self)
                await self.waitForGate(continuation)
                guard await Self.wait(for: gate, unlessClosed: channel) else {
                    return .clientClosedConnection
                }
            }
            switch behaviour.response {
            case .httpError(let status, let message, let rawBody):
                try await Self.writeComplete(
                    status: status,
                    contentType: rawBody == nil ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
                    body: rawBody ?? Self.errorBody(plan.wireFormat, status: status, message: message),
                    keepAlive: keepAlive,
                    outbound: outbound
                )
                return .sentHTTPError
            case .hangBeforeHeaders:
                await Self.waitUntilClosed(channel)
                return .clientClosedConnection
            case .hangAfterHeaders:
                try await outbound.write(.head(Self.streamHead(plan.wireFormat, keepAlive: keepAlive)))
                await Self.waitUntilClosed(channel)
                return .clientClosedConnection
            case .answer:
                try await outbound.write(.head(Self.streamHead(plan.wireFormat, keepAlive: keepAlive)))
                let lines = Self.streamLines(plan)
                if behaviour.chunking == .allAtOnce {
                    let all = (lines.preamble + lines.pieces + lines.ending).joined()
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: Self.wireBytes(all)))))
                } else {
                    for line in lines.preamble {
                        try await Self.write(line, chunking: behaviour.chunking, outbound: outbound)
                    }
                    for line in lines.pieces {
                        if behaviour.delay > .zero {
                            guard await Self.sleep(for: behaviour.delay, unlessClosed: channel) else {
                                return .clientClosedConnection
                            }
                        }
                        try await Self.write(line, chunking: behaviour.chunking, outbound: outbound)
                    }
                    for line in lines.ending {
                        try await Self.write(line, chunking: behaviour.chunking, outbound: outbound)
                    }
                }
                switch behaviour.ending {
                case .done:
                    try await outbound.write(.end(nil))
                    return .completed
                case .streamError:
                    try await outbound.write(.end(nil))
                    return .sentStreamError
                case .disconnect:
                    try await channel.close()
                    return .disconnectedAsScripted
                case .repeatForever(let loop):
                    var loopPlan = plan
                    loopPlan.pieces = loop
                    let lines = Self.streamLines(loopPlan).pieces
                    guard !lines.isEmpty else { return .completed }
                    // One line a millisecond (or the behaviour's delay): a model streams some tens
                    // of tokens a second, and a stub streaming as fast as it can would fill the
                    // kernel's socket buffers with megabytes and starve the client under test of
                    // CPU. The client closing the connection ends the loop with a failed write.
                    let pause = behaviour.delay > .zero ? behaviour.delay : .milliseconds(1)
                    while true {
                        for line in lines {
                            try await Self.write(line, chunking: behaviour.chunking, outbound: outbound)
                            try await Task.sleep(for: pause)
                        }
                    }
                }
            }
        } catch {
            // A write to a connection the client closed.
            return .clientClosedConnection
        }
    }

    // MARK: - Wire format dispatch

    private static func streamHead(_ format: WireFormat, keepAlive: Bool) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        switch format {
        case .ollama:
            headers.add(name: "Content-Type", value: "application/x-ndjson")
        case .openai:
            headers.add(name: "Content-Type", value: "text/event-stream")
            headers.add(name: "Cache-Control", value: "no-cache")
        }
        headers.add(name: "Transfer-Encoding", value: "chunked")
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        }
        return HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
    }

    private static func streamLines(_ plan: LLMStubChatPlan) -> LLMStubStreamLines {
        switch plan.wireFormat {
        case .ollama:
            return Self.ollamaStreamLines(plan)
        case .openai:
            return Self.openAIStreamLines(plan)
        }
    }

    static func errorBody(_ format: WireFormat, status: Int, message: String) -> String {
        switch format {
        case .ollama:
            return LLMStubJSON.object(["error": .string(message)]).jsonText
        case .openai:
            return Self.openAIErrorBody(status: status, message: message)
        }
    }

    /// Routes a request of the stub's wire format.
    func route(_ request: LLMStubRequest) -> LLMStubPlan {
        switch self.wireFormat {
        case .ollama:
            return self.routeOllama(request)
        case .openai:
            return self.routeOpenAI(request)
        }
    }

    // MARK: - Writing

    private static func writeComplete(
        status: Int,
        contentType: String,
        body: String,
        keepAlive: Bool,
        outbound: Outbound
    ) async throws {
        let bytes = ByteBuffer(string: body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(bytes.readableBytes)")
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        try await outbound.write(.head(head))
        try await outbound.write(.body(.byteBuffer(bytes)))
        try await outbound.write(.end(nil))
    }

    private static func write(_ line: String, chunking: LLMStubBehaviour.Chunking, outbound: Outbound) async throws {
        let bytes = Self.wireBytes(line)
        switch chunking {
        case .splitLines where bytes.count > 1:
            let middle = bytes.count / 2
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes[..<middle]))))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes[middle...]))))
        case .splitLines, .wholeLines, .allAtOnce:
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
        }
    }

    /// The bytes of `text`, with ``LLMStubBehaviour/invalidUTF8Placeholder`` as 0xFF.
    private static func wireBytes(_ text: String) -> [UInt8] {
        let placeholder = Array(String(LLMStubBehaviour.invalidUTF8Placeholder).utf8)
        var bytes = Array(text.utf8)
        guard text.contains(LLMStubBehaviour.invalidUTF8Placeholder) else { return bytes }
        var index = 0
        while index + placeholder.count <= bytes.count {
            if bytes[index..<index + placeholder.count].elementsEqual(placeholder) {
                bytes.replaceSubrange(index..<index + placeholder.count, with: [0xFF])
            }
            index += 1
        }
        return bytes
    }

    // MARK: - Waiting on a connection

    /// Returns when `channel` is closed, or when the task is cancelled (stub shutdown).
    static func waitUntilClosed(_ channel: any Channel) async {
        let (closed, continuation) = AsyncStream.makeStream(of: Void.self)
        channel.closeFuture.whenComplete { _ in
            continuation.finish()
        }
        // An AsyncStream ends its iteration on cancellation too.
        for await _ in closed {}
    }

    /// Sleeps for `duration`; `false` when the channel closed (or the task was cancelled) first.
    static func sleep(for duration: Duration, unlessClosed channel: any Channel) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await Task.sleep(for: duration)) != nil
            }
            group.addTask {
                await Self.waitUntilClosed(channel)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Waits until `stream` finishes; `false` when the channel closed (or the task was cancelled) first.
    static func wait(for stream: AsyncStream<Void>, unlessClosed channel: any Channel) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in stream {}
                return !Task.isCancelled
            }
            group.addTask {
                await Self.waitUntilClosed(channel)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
