import FORLLMTestSupport
import Foundation
import LineServer
import Logging
import NIOCore
import NIOEmbedded
import NNTPCore
import Testing

@testable import NNTPServer

/// Hot commands answered on the event loop from memory (``NNTPLoopAnswerer``): the same bytes
/// and the same session state as the task's answers, in order, and only when it is safe.
@Suite("Answers on the loop", .endToEnd)
struct NNTPLoopAnswererTests {
    static let noLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func executor(_ backend: FakeNNTPBackend, authenticationRequired: Bool = false) -> NNTPCommandExecutor {
        NNTPCommandExecutor(
            backend: backend,
            configuration: NNTPSessionConfiguration(authenticationRequired: authenticationRequired),
            now: { Date(timeIntervalSince1970: 1_700_000_000) }
        )
    }

    // MARK: - The executor's answers from memory

    @Test("answers from memory are execute's answers, byte for byte, with the same context")
    func memoryAnswersMatchExecute() async throws {
        let lines = [
            "GROUP forllm.general", "ARTICLE", "ARTICLE 2", "HEAD 3", "BODY 1", "STAT", "STAT 2",
            "ARTICLE <two@test.example>", "HEAD <three@test.example>", "STAT <one@test.example>",
            "GROUP misc.bulk", "ARTICLE <one@test.example>", "STAT <two@test.example>"
        ]
        let stored = FakeNNTPBackend.standard()
        let inMemory = FakeNNTPBackend.standard()
        inMemory.holdInMemory()
        let byTask = Self.executor(stored)
        let byLoop = Self.executor(inMemory)
        var taskContext = NNTPSessionContext()
        var loopContext = NNTPSessionContext()
        for line in lines {
            let command = try NNTPCommandParser.parseCommand(Array(line.utf8))
            let collector = NNTPCommandExecutorTests.Collector()
            var writer = NNTPResponseWriter(chunkSize: NNTPDefaults.responseChunkSize) { collector.append($0) }
            try await byTask.execute(command, context: &taskContext, writer: &writer)
            var answer = ByteBuffer()
            #expect(byLoop.answerFromMemory(command, context: &loopContext, into: &answer), "\(line)")
            #expect(String(buffer: answer) == collector.text, "\(line)")
            #expect(loopContext == taskContext, "\(line)")
        }
        #expect(inMemory.memoryHits == lines.count)
        #expect(inMemory.storeReads == 0)
    }

    @Test("what memory cannot say is left to the store: misses, errors and other commands")
    func memoryLeavesTheRest() throws {
        let backend = FakeNNTPBackend.standard()
        backend.holdInMemory()
        let executor = Self.executor(backend)
        let selected = NNTPSessionContext(selectedGroup: "forllm.general", currentArticle: 2)
        let empty = NNTPSessionContext(selectedGroup: "forllm.empty", currentArticle: nil)
        let cases: [(String, NNTPSessionContext)] = [
            ("GROUP no.such", selected),  // 411 is for the store to say
            ("ARTICLE 9", selected),  // 423
            ("ARTICLE <none@test.example>", selected),  // 430
            ("ARTICLE", empty),  // 420
            ("ARTICLE 1", NNTPSessionContext()),  // 412
            ("STAT", NNTPSessionContext()),
            ("NEXT", selected), ("LAST", selected), ("OVER 1-3", selected), ("LISTGROUP", selected),
            ("LIST", selected), ("DATE", selected), ("HDR Subject 1-3", selected)
        ]
        for (line, context) in cases {
            let command = try NNTPCommandParser.parseCommand(Array(line.utf8))
            var changed = context
            var answer = ByteBuffer()
            #expect(!executor.answerFromMemory(command, context: &changed, into: &answer), "\(line)")
            #expect(answer.readableBytes == 0, "\(line)")
            #expect(changed == context, "\(line)")
        }
    }

    // MARK: - The loan

    @Test("the loan: available only while lent and every event passed on was received")
    func lease() {
        var lease = NNTPLoopLease()
        #expect(lease.available == nil)
        lease.lend(NNTPSessionContext(selectedGroup: "a"), logger: Self.noLogger)
        #expect(lease.available?.context.selectedGroup == "a")
        lease.answered(context: NNTPSessionContext(selectedGroup: "b", currentArticle: 1))
        lease.passOn()
        #expect(lease.available == nil, "an event the task has not received")
        #expect(lease.receive() == NNTPSessionContext(selectedGroup: "b", currentArticle: 1))
        #expect(lease.available == nil, "the task holds the context again")
        lease.lend(NNTPSessionContext(selectedGroup: "c"), logger: Self.noLogger)
        #expect(lease.available?.context.selectedGroup == "c")
        lease.passOn()
        lease.passOn()
        #expect(lease.receive() == NNTPSessionContext(selectedGroup: "c"))
        lease.lend(NNTPSessionContext(selectedGroup: "d"), logger: Self.noLogger)
        #expect(lease.available == nil, "the second event is still on its way")
        #expect(lease.receive() == NNTPSessionContext(selectedGroup: "d"))
        #expect(lease.receive() == nil, "nothing was lent")
        lease.lend(NNTPSessionContext(), logger: Self.noLogger)
        lease.withdraw()
        #expect(lease.available == nil)
    }

    // MARK: - The handler on an EmbeddedChannel

    /// The answerer alone in a pipeline: what it writes goes out, what it passes on comes in.
    struct Embedded {
        let channel = EmbeddedChannel()
        let answerer: NNTPLoopAnswerer

        init(backend: FakeNNTPBackend, authenticationRequired: Bool = false) throws {
            self.answerer = NNTPLoopAnswerer(
                executor: NNTPLoopAnswererTests.executor(backend, authenticationRequired: authenticationRequired),
                eventLoop: self.channel.embeddedEventLoop
            )
            try self.channel.pipeline.syncOperations.addHandler(self.answerer)
        }

        func lend(_ context: NNTPSessionContext = NNTPSessionContext()) {
            self.answerer.lease.value.lend(context, logger: NNTPLoopAnswererTests.noLogger)
        }

        /// The task receives one event: returns the line and the context that came back.
        func receive() throws -> (line: String?, context: NNTPSessionContext?) {
            guard let event = try self.channel.readInbound(as: LineConnectionEvent.self) else { return (nil, nil) }
            let context = self.answerer.lease.value.receive()
            guard case .frame(.line(let line, _)) = event else { return ("(event)", context) }
            return (String(buffer: line), context)
        }

        func line(_ text: String) throws {
            try self.channel.writeInbound(LineConnectionEvent.frame(.line(ByteBuffer(string: text), .crlf)))
        }

        func written() throws -> String {
            var text = ""
            while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
                text += String(buffer: buffer)
            }
            return text
        }
    }

    @Test("a lent, idle session's GROUP and ARTICLE are answered on the loop and never reach the task")
    func answersWhileLent() throws {
        let backend = FakeNNTPBackend.standard()
        backend.holdInMemory()
        let embedded = try Embedded(backend: backend)
        embedded.lend()
        try embedded.line("GROUP forllm.general")
        try embedded.line("STAT 3")
        #expect(try embedded.written() == "211 3 1 3 forllm.general\r\n223 3 <three@test.example> status\r\n")
        #expect(try embedded.receive().line == nil)
        // The context lent has moved on; the task gets it back with its next event.
        try embedded.line("NEXT")
        #expect(try embedded.written() == "")
        let received = try embedded.receive()
        #expect(received.line == "NEXT")
        #expect(received.context == NNTPSessionContext(selectedGroup: "forllm.general", currentArticle: 3))
    }

    @Test("after a line is passed on, nothing is answered until the task received it and lent again")
    func orderAfterPassingOn() throws {
        let backend = FakeNNTPBackend.standard()
        backend.holdInMemory()
        let embedded = try Embedded(backend: backend)
        embedded.lend(NNTPSessionContext(selectedGroup: "forllm.general", currentArticle: 1))
        try embedded.line("OVER 1-3")  // not from memory: to the task
        try embedded.line("GROUP forllm.general")  // memory could, but the OVER comes first
        #expect(try embedded.written() == "")
        #expect(try embedded.receive().line == "OVER 1-3")
        embedded.lend(NNTPSessionContext(selectedGroup: "forllm.general", currentArticle: 1))
        try embedded.line("STAT 2")  // the GROUP is still the task's
        #expect(try embedded.written() == "")
        #expect(try embedded.receive().line == "GROUP forllm.general")
        #expect(try embedded.receive().line == "STAT 2")
        embedded.lend(NNTPSessionContext(selectedGroup: "forllm.general", currentArticle: 2))
        try embedded.line("STAT 1")
        #expect(try embedded.written() == "223 1 <one@test.example> status\r\n")
    }

    @Test("nothing is answered unlent, unwritable, unauthenticated, from a miss or for a bad line")
    func passesOn() throws {
        let backend = FakeNNTPBackend.standard()
        backend.holdInMemory()
        var embedded = try Embedded(backend: backend)
        try embedded.line("GROUP forllm.general")
        #expect(try embedded.receive().line == "GROUP forllm.general", "not lent")

        embedded.lend()
        embedded.channel.isWritable = false
        try embedded.line("GROUP forllm.general")
        #expect(try embedded.receive().line == "GROUP forllm.general", "not writable")
        embedded.channel.isWritable = true

        for line in ["GROUP no.such", "GROUP", "GROUP a b", "ARTICLE 1", "BOGUS", String(repeating: "A", count: 600)] {
            embedded.lend()
            try embedded.line(line)
            #expect(try embedded.receive().line == line, "\(line.prefix(20))")
        }
        embedded.lend()
        try embedded.channel.writeInbound(LineConnectionEvent.frame(.overlongLine))
        #expect(try embedded.receive().line == "(event)")
        #expect(try embedded.written() == "")

        embedded = try Embedded(backend: backend, authenticationRequired: true)
        embedded.lend()
        try embedded.line("GROUP forllm.general")
        #expect(try embedded.receive().line == "GROUP forllm.general", "a login is required")
        embedded.lend(NNTPSessionContext(isAuthenticated: true))
        try embedded.line("GROUP forllm.general")
        #expect(try embedded.written() == "211 3 1 3 forllm.general\r\n")
    }

    // MARK: - End to end

    @Test("over TCP, a reader's GROUP and ARTICLEs come from memory and never ask the store")
    func endToEndFromMemory() async throws {
        let backend = FakeNNTPBackend.standard()
        backend.holdInMemory()
        try await NNTPTestServer.with(backend: backend) { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("GROUP forllm.general") == (211, "3 1 3 forllm.general"))
            #expect(try await client.command("ARTICLE 2") == (220, "2 <two@test.example> article"))
            let article = try await client.readMultiline()
            #expect(article.contains(".X-Dotted: header starting with a dot"))
            #expect(try await client.command("STAT") == (223, "2 <two@test.example> status"))
            #expect(try await client.command("HEAD <three@test.example>") == (221, "3 <three@test.example> head"))
            _ = try await client.readMultiline()
            // NEXT goes to the task, with the context the loop left: the current article is 2.
            #expect(try await client.command("NEXT") == (223, "3 <three@test.example> retrieved"))
            #expect(try await client.command("QUIT").code == 205)
            try await client.close()
        }
        #expect(backend.memoryHits == 4)
        #expect(backend.storeReads == 0)
    }

    /// A reader's session in one burst and line by line: every answer, in order.
    static let session = [
        "GROUP forllm.general", "ARTICLE 2", "NEXT", "ARTICLE", "OVER 1-3", "STAT", "LISTGROUP forllm.empty",
        "ARTICLE 1", "GROUP forllm.general", "LAST", "HEAD", "BODY <one@test.example>", "GROUP no.such", "STAT",
        "BODY 3", "XOVER", "HEAD 9", "GROUP misc.bulk", "STAT <two@test.example>", "ARTICLE", "DATE", "QUIT"
    ]

    static func transcript(holdInMemory: Bool, pipelined: Bool) async throws -> (String, FakeNNTPBackend) {
        let backend = FakeNNTPBackend.standard()
        if holdInMemory { backend.holdInMemory() }
        let text = try await NNTPTestServer.with(backend: backend) { server in
            let client = try await server.connectAndGreet()
            if pipelined {
                try await client.sendRaw(Self.session.map { $0 + "\r\n" }.joined())
                return try await client.readUntilClosed().joined(separator: "\n")
            }
            var lines: [String] = []
            for command in Self.session.dropLast() {
                try await client.send(command)
                let status = try await client.readLine()
                lines.append(status)
                let isMultiline =
                    ["220", "221", "222", "224"].contains(where: status.hasPrefix)
                    || (status.hasPrefix("211") && status.hasSuffix("list follows"))
                if isMultiline { lines += try await client.readMultiline() }
            }
            try await client.send("QUIT")
            lines += try await client.readUntilClosed()
            return lines.joined(separator: "\n")
        }
        return (text, backend)
    }

    @Test("a pipelined burst is answered in order, as the task alone answers it", arguments: [true, false])
    func sameTranscript(pipelined: Bool) async throws {
        let (byTask, _) = try await Self.transcript(holdInMemory: false, pipelined: pipelined)
        let (withLoop, backend) = try await Self.transcript(holdInMemory: true, pipelined: pipelined)
        #expect(withLoop == byTask)
        #expect(byTask.contains("423 no article with that number"))
        #expect(backend.memoryHits > 0)
    }
}
