import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback server speaking as much of Ollama's API as FORLLM's worker uses, that records the
/// instants the worker measurement needs: when each `/api/chat` request arrived and when the
/// stub wrote its final `"done": true` line.
///
/// ```
/// GET  /api/tags  → {"models": [{"name": "llama3.2:latest", ...}]}
/// POST /api/show  → {"model_info": {"llama.context_length": 8192, ...}}
/// POST /api/chat  → 200, NDJSON: `pieces` lines {"message": {"content": "word "}, "done": false}
///                   each after `pieceDelay`, then {"done": true, "done_reason": "stop", ...}
/// ```
///
/// A chat request is matched to the article it answers by the first `bench-ask-N` token in its
/// body (the article's text is in the prompt).
final class OllamaStub: Sendable {
    /// One chat request.
    struct Chat: Sendable {
        var token: String?
        var arrived: ContinuousClock.Instant
        var finished: ContinuousClock.Instant?
    }

    let pieces: Int
    let pieceDelay: TimeAmount
    private let chats = Mutex<[Chat]>([])
    private let counts = Mutex<[String: Int]>([:])
    private let channel: Mutex<(any Channel)?> = Mutex(nil)

    init(pieces: Int, pieceDelay: TimeAmount) {
        self.pieces = max(1, pieces)
        self.pieceDelay = pieceDelay
    }

    /// Binds 127.0.0.1:0 and returns the port.
    func start() async throws -> Int {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(stub: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        self.channel.withLock { $0 = server }
        return server.localAddress?.port ?? 0
    }

    func shutdown() async {
        let channel = self.channel.withLock { $0 }
        try? await channel?.close()
    }

    /// The chat request that carried `token`.
    func chat(token: String) -> Chat? {
        self.chats.withLock { chats in chats.first { $0.token == token } }
    }

    /// Requests received per `METHOD path`.
    var requestCounts: [String: Int] {
        self.counts.withLock { $0 }
    }

    fileprivate func noteRequest(_ key: String) {
        self.counts.withLock { $0[key, default: 0] += 1 }
    }

    fileprivate func chatArrived(at instant: ContinuousClock.Instant) -> Int {
        self.chats.withLock { chats in
            chats.append(Chat(token: nil, arrived: instant))
            return chats.count - 1
        }
    }

    fileprivate func chatIdentified(_ index: Int, token: String?) {
        self.chats.withLock { $0[index].token = token }
    }

    fileprivate func chatFinished(_ index: Int, at instant: ContinuousClock.Instant) {
        self.chats.withLock { $0[index].finished = instant }
    }

    /// `bench-ask-<digits>` in `text`.
    static func token(in text: String) -> String? {
        guard let range = text.range(of: "bench-ask-") else { return nil }
        let digits = text[range.upperBound...].prefix(while: \.isNumber)
        return digits.isEmpty ? nil : "bench-ask-" + digits
    }

    // MARK: - The connection handler

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let stub: OllamaStub
        private var head: HTTPRequestHead?
        private var body = ByteBuffer()
        private var chatIndex: Int?

        init(stub: OllamaStub) {
            self.stub = stub
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch Self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body.clear()
                self.chatIndex = nil
                if head.method == .POST, head.uri == "/api/chat" {
                    self.chatIndex = self.stub.chatArrived(at: .now)
                }
            case .body(var bytes):
                self.body.writeBuffer(&bytes)
            case .end:
                guard let head = self.head else { return }
                self.respond(to: head, context: context)
            }
        }

        private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
            self.stub.noteRequest("\(head.method) \(head.uri)")
            switch (head.method, head.uri) {
            case (.GET, "/api/tags"):
                self.send(
                    #"{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2024-01-01T00:00:00Z","size":2019393189,"digest":"0","details":{"format":"gguf","family":"llama","parameter_size":"3.2B"}}]}"#,
                    context: context
                )
            case (.POST, "/api/show"):
                self.send(
                    #"{"modelfile":"FROM stub","details":{"format":"gguf","family":"llama"},"model_info":{"general.architecture":"llama","llama.context_length":8192},"capabilities":["completion"]}"#,
                    context: context
                )
            case (.GET, "/"), (.HEAD, "/"):
                self.send("Ollama is running", contentType: "text/plain; charset=utf-8", context: context)
            case (.POST, "/api/chat"):
                guard let index = self.chatIndex else { return }
                self.stub.chatIdentified(index, token: OllamaStub.token(in: String(buffer: self.body)))
                self.streamAnswer(index: index, context: context)
            default:
                self.send(#"{"error":"not found"}"#, status: .notFound, context: context)
            }
        }

        private func send(
            _ text: String,
            status: HTTPResponseStatus = .ok,
            contentType: String = "application/json; charset=utf-8",
            context: ChannelHandlerContext
        ) {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: "\(text.utf8.count)")
            context.write(
                Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil
            )
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
        }

        private func streamAnswer(index: Int, context: ChannelHandlerContext) {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/x-ndjson")
            headers.add(name: "Transfer-Encoding", value: "chunked")
            context.writeAndFlush(
                Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                promise: nil
            )
            let stub = self.stub
            let loop = context.eventLoop.assumeIsolated()
            func piece(_ number: Int) {
                guard context.channel.isActive else { return }
                if number < stub.pieces {
                    let line =
                        #"{"model":"llama3.2","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":"word\#(number) "},"done":false}"#
                        + "\n"
                    context.writeAndFlush(
                        Self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: line)))),
                        promise: nil
                    )
                    loop.scheduleTask(in: stub.pieceDelay) { piece(number + 1) }
                } else {
                    let done =
                        #"{"model":"llama3.2","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":1000000,"load_duration":1000,"prompt_eval_count":40,"prompt_eval_duration":1000,"eval_count":\#(stub.pieces),"eval_duration":1000}"#
                        + "\n"
                    context.write(Self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: done)))), promise: nil)
                    context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
                    // The done line is in the kernel's send buffer once flush returns.
                    stub.chatFinished(index, at: .now)
                }
            }
            loop.scheduleTask(in: stub.pieceDelay) { piece(0) }
        }
    }
}
