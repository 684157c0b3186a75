import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import Testing

/// Whole flows: a newsreader posts over NNTP, the worker asks a loopback LLM server, the answer
/// is read back over NNTP. Real sockets, a real SQLite file, real HTTP.
@Suite("End to end", .endToEnd)
struct EndToEndTests {
    static let post = """
        From: Jane Doe <jane@example.org>
        Newsgroups: forllm.general
        Subject: Proofing bread
        Message-ID: <proof.1@example.org>
        X-FORLLM-Request: assistant

        How long should bread dough proof at room temperature?
        """

    @Test("a POST with X-FORLLM-Request gets its answer threaded in the group")
    func requestAnswered() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama, models: [.init(name: "llama3.2:latest", contextLength: 131072)]).run { stub in
            await stub.enqueue(
                .answer(
                    ["Usually ", "one to two hours, ", "until it has doubled."],
                    promptTokens: 80,
                    completionTokens: 3
                )
            )
            let configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, await stub.baseURL)]
            )
            let app = try await RunningApp.start(configuration)
            let client = try await app.connect()
            #expect(try await client.command("MODE READER").code == 200)
            #expect(try await client.postArticle(Self.post).code == 240)
            let id = try #require(try await app.database.requests().first?.id)
            let request = try await app.waitForRequest(id)
            #expect(request.model == "llama3.2")
            #expect(request.backend == "ollama")

            let overview = try await client.overview(group: "forllm.general")
            #expect(overview.count == 2)
            #expect(overview[1][1] == "Re: Proofing bread")
            #expect(overview[1][2] == "Assistant <assistant@personas.forllm.local>")
            #expect(overview[1][5] == "<proof.1@example.org>")
            let answer = try #require(try await client.fetchArticle(String(overview[1][0])))
            #expect(answer["References"] == "<proof.1@example.org>")
            #expect(answer["Newsgroups"] == "forllm.general")
            #expect(answer["X-FORLLM-Persona"] == "assistant (version 1)")
            #expect(answer["X-FORLLM-Model"] == "llama3.2")
            #expect(answer["X-FORLLM-Backend"] == "ollama")
            #expect(answer["User-Agent"] == FORLLMVersion.userAgent)
            // What the generation cost, as Ollama reported it and the worker timed it.
            let usage = try #require(answer["X-FORLLM-Usage"])
            #expect(usage.hasPrefix("prompt=80; completion=3; first-token="), "\(usage)")
            #expect(request.answerNotes.usage?.promptTokens == 80)
            #expect(request.answerNotes.usage?.completionTokens == 3)
            #expect(answer["Message-ID"] == request.answerMessageID)
            let text = ArticleText.plainText(of: answer)
            #expect(text.hasPrefix("Usually one to two hours, until it has doubled."))
            #expect(text.hasSuffix("-- \nAssistant (@assistant), llama3.2 on ollama"))

            // What the model was sent: the group's system message, the persona's note (its
            // instructions), then the thread (here its root).
            let chat = try #require(await stub.chatRequests.first)
            #expect(chat.model == "llama3.2")
            #expect(chat.messages.map(\.role) == ["system", "system", "user"])
            #expect(chat.messages[0].content.hasPrefix("This is a thread of the newsgroup "))
            #expect(chat.messages[1].content.hasPrefix("You are Assistant, a helpful member"))
            #expect(chat.messages[2].content.hasPrefix("Jane Doe wrote (subject: Proofing bread):"))
            #expect(chat.messages[2].content.hasSuffix("How long should bread dough proof at room temperature?"))
            #expect(chat.json?["options"]?["num_ctx"]?.intValue == 8192)
            #expect(chat.json?["keep_alive"]?.stringValue == "30m")
            try await client.close()
            try await app.stop()
        }
    }

    @Test("auto groups answer every user post; mentions pick personas; none suppresses")
    func triggers() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            _ = try await app.forum.createPersona(name: "Chef Anna", handle: "chef", instructions: "You cook.", by: "t")
            try await app.database.createGroup(name: "forllm.quiet", mode: .request, now: Date())
            let client = try await app.connect()
            let base = "From: Jane <jane@example.org>\nSubject: Test\n"
            #expect(
                try await client.postArticle(
                    base + "Newsgroups: forllm.general\nMessage-ID: <auto@x.example>\n\nHi all\n"
                ).code == 240
            )
            #expect(
                try await client.postArticle(
                    base + "Newsgroups: forllm.quiet\nMessage-ID: <quiet@x.example>\n\nNobody asked\n"
                ).code == 240
            )
            #expect(
                try await client.postArticle(
                    base + "Newsgroups: forllm.quiet\nMessage-ID: <mention@x.example>\n\n@chef what is mise en place?\n"
                ).code == 240
            )
            #expect(
                try await client.postArticle(
                    base
                        + "Newsgroups: forllm.general\nX-FORLLM-Request: none\nMessage-ID: <none@x.example>\n\nJust a note\n"
                ).code == 240
            )
            let requests = try await app.database.requests()
            #expect(
                Set(requests.map { "\($0.messageID ?? "")=\($0.personaHandle ?? "")" }) == [
                    "<auto@x.example>=assistant", "<mention@x.example>=chef"
                ]
            )
            for request in requests { try await app.waitForRequest(request.id) }
            let quiet = try await client.overview(group: "forllm.quiet")
            #expect(
                quiet.map { String($0[2]) } == [
                    "Jane <jane@example.org>", "Jane <jane@example.org>", "Chef Anna <chef@personas.forllm.local>"
                ]
            )
            #expect(quiet[2][5] == "<mention@x.example>")
            try await client.close()
            try await app.stop()
        }
    }

    @Test("refused up front: an unknown persona, model or backend gets 441 with the reason")
    func refusals() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama, models: [.init(name: "llama3.2:latest"), .init(name: "qwen2.5:7b")]).run {
            stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            // The check at POST time gives the backends 2 s, then accepts (the benefit of the
            // doubt). Asked once here, their model lists are remembered, so what this test sees
            // is the refusal and not how loaded the machine is.
            _ = try await app.assembly.llm.catalog.models(of: "ollama")
            let client = try await app.connect()
            let base = "From: Jane <jane@example.org>\nNewsgroups: forllm.general\nSubject: Test\n"
            var status = try await client.postArticle(base + "X-FORLLM-Request: nobody\n\nHi\n")
            #expect(status.code == 441)
            #expect(status.text.contains("no persona named 'nobody'"))
            status = try await client.postArticle(base + "X-FORLLM-Request: default; model=llama9\n\nHi\n")
            #expect(status.code == 441)
            #expect(status.text.contains("model 'llama9' is not offered"))
            #expect(status.text.contains("qwen2.5:7b (ollama)"))
            status = try await client.postArticle(base + "X-FORLLM-Request: default; backend=gpu\n\nHi\n")
            #expect(status.code == 441)
            #expect(status.text.contains("no backend named 'gpu' (configured: ollama)"))
            status = try await client.postArticle(base + "X-FORLLM-Request: default; colour=red\n\nHi\n")
            #expect(status.code == 441)
            #expect(try await app.database.requests().isEmpty)
            #expect(
                try await client.postArticle(base + "X-FORLLM-Request: default; model=qwen2.5:7b\n\nHi\n").code == 240
            )
            let request = try #require(try await app.database.requests().first)
            #expect(try await app.waitForRequest(request.id).model == "qwen2.5:7b")
            try await client.close()
            try await app.stop()
        }
    }

    @Test("stricter POST, as INN answers: no body, bad Injection-Date or Expires, 17 digits, 441 435 Duplicate")
    func stricterPost() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            let client = try await app.connect()
            // The number's syntax comes before the state: 501, not 412 (no group selected).
            #expect(try await client.command("ARTICLE 12345678901234567").code == 501)
            #expect(try await client.command("ARTICLE 1234567890123456").code == 412)
            let base =
                "From: Jane <jane@example.org>\nNewsgroups: forllm.general\nSubject: Test\n"
                + "X-FORLLM-Request: none\n"
            for (article, reason) in [
                (base + "Message-ID: <empty@example.org>\n\n", "has no body"),
                (base + "Message-ID: <headers@example.org>\n", "has no body"),
                (base + "Injection-Date: yesterday\n\nHi\n", "Injection-Date: 'yesterday' is not a valid date"),
                (base + "Injection-Date: Mon, 1 Jan 2035 00:00:00 +0000\n\nHi\n", "Injection-Date is more than"),
                (base + "Injection-Date: Mon, 1 Jan 2001 00:00:00 +0000\n\nHi\n", "Injection-Date is more than"),
                (base + "Expires: soon\n\nHi\n", "Expires: 'soon' is not a valid date")
            ] {
                let status = try await client.postArticle(article)
                #expect(status.code == 441, "\(article)")
                #expect(status.text.contains(reason), "\(status.text)")
            }
            let original = base + "Message-ID: <once@example.org>\n\nOnly once.\n"
            #expect(try await client.postArticle(original).code == 240)
            let again = try await client.postArticle(original)
            #expect(again.code == 441)
            #expect(again.text.hasPrefix("435 Duplicate: Message-ID <once@example.org> is already on the server"))
            #expect(try await app.database.requests().isEmpty)
            try await client.close()
            try await app.stop()
        }
    }

    @Test("a dead backend: the request waits for it, then an error article from FORLLM says why")
    func deadBackend() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let closed = try ClosedPort()
        defer { closed.release() }
        let port = closed.port
        var configuration = RunningApp.configuration(
            directory: directory,
            backends: [("ollama", .ollama, "http://127.0.0.1:\(port)")]
        )
        configuration.worker.unreachableWait = .seconds(2)
        let app = try await RunningApp.start(configuration)
        let client = try await app.connect()
        #expect(try await client.postArticle(Self.post).code == 240)
        let id = try #require(try await app.database.requests().first?.id)
        let waiting = try await app.waitFor("the request to wait for the backend") { db in
            try ReplyRequest.fetchOne(
                db,
                sql: "SELECT * FROM request WHERE id = ? AND waiting_since IS NOT NULL",
                arguments: [id]
            )
        }
        #expect(waiting.error?.hasPrefix("waiting for backend ollama: cannot reach") == true)
        let failed = try await app.waitForRequest(id, in: [.failed])
        #expect(failed.attempts == 1)
        #expect(failed.error?.contains("could not be reached") == true)
        #expect(failed.error?.contains("connection refused") == true)
        let overview = try await client.overview(group: "forllm.general")
        #expect(overview.count == 2)
        #expect(overview[1][2] == "FORLLM <forllm@forllm.local>")
        let notice = try #require(try await client.fetchArticle(String(overview[1][0])))
        let text = ArticleText.plainText(of: notice)
        #expect(text.contains("Assistant (@assistant) could not answer this article."))
        #expect(text.contains("forllm queue retry \(id)"))
        try await client.close()
        try await app.stop()
    }

    @Test("Ollama started after the post: the waiting request is answered, no attempt spent")
    func backendStartedLater() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let closed = try ClosedPort()
        let port = closed.port
        let app = try await RunningApp.start(
            RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, "http://127.0.0.1:\(port)")])
        )
        let client = try await app.connect()
        #expect(try await client.postArticle(Self.post).code == 240)
        let id = try #require(try await app.database.requests().first?.id)
        _ = try await app.waitFor("the request to wait for the backend") { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT 1 FROM request WHERE id = ? AND waiting_since IS NOT NULL",
                arguments: [id]
            )
        }
        #expect(try await app.database.request(id: id).status == .pending)
        // The user starts Ollama on its usual port.
        closed.release()
        let later = LLMStubServer(.ollama)
        try await later.start(port: port)
        let done = try await app.waitForRequest(id)
        #expect(done.attempts == 1)
        #expect(await later.chatRequests.count == 1)
        try await client.close()
        try await app.stop()
        await later.shutdown()
    }

    @Test("a request left running by a crash runs again after a restart and is answered once")
    func crashRecovery() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, await stub.baseURL)]
            )
            // The first run stops while the model is still generating (the stub holds the answer).
            await stub.setDefaultBehaviour(LLMStubBehaviour.echo.gated())
            var app = try await RunningApp.start(configuration)
            var client = try await app.connect()
            #expect(try await client.postArticle(Self.post).code == 240)
            await stub.waitForInFlight(atLeast: 1)
            let id = try #require(try await app.database.requests().first?.id)
            try await client.close()
            try await app.stop()
            // A crash (kill -9) leaves it running instead; the next start must put it back.
            let raw = try DatabaseQueue(path: directory.databasePath)
            let status = try await raw.read { db in
                try String.fetchOne(db, sql: "SELECT status FROM request WHERE id = ?", arguments: [id])
            }
            #expect(status == "pending")
            try await raw.write { db in
                try db.execute(sql: "UPDATE request SET status = 'running', attempts = 1 WHERE id = ?", arguments: [id])
            }
            try raw.close()

            await stub.setDefaultBehaviour(.echo)
            await stub.openGate()
            app = try await RunningApp.start(configuration)
            let done = try await app.waitForRequest(id)
            #expect(done.status == .done)
            client = try await app.connect()
            let overview = try await client.overview(group: "forllm.general")
            #expect(overview.count == 2)
            #expect(overview.filter { $0[2].contains("assistant@personas") }.count == 1)
            try await client.close()
            try await app.stop()
        }
    }

    @Test("articles, numbers and requests survive a restart; numbering continues")
    func persistence() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        var configuration = RunningApp.configuration(
            directory: directory,
            backends: [("ollama", .ollama, "http://127.0.0.1:9")]
        )
        configuration.worker.maximumAttempts = 1
        var app = try await RunningApp.start(configuration)
        try await app.database.createGroup(name: "test.keep", mode: .off, now: Date())
        var client = try await app.connect()
        for index in 1...3 {
            let article =
                "From: a@b.example\nNewsgroups: test.keep\nSubject: n\(index)\nMessage-ID: <keep\(index)@x.example>\n\nbody \(index)\n"
            #expect(try await client.postArticle(article).code == 240)
        }
        try await client.close()
        try await app.stop()

        app = try await RunningApp.start(configuration)
        client = try await app.connect()
        #expect(try await client.command("GROUP test.keep").text.hasPrefix("3 1 3 test.keep"))
        #expect(try await client.command("STAT <keep2@x.example>").text.hasPrefix("2 <keep2@x.example>"))
        #expect(try await client.command("STAT 3").text.hasPrefix("3 <keep3@x.example>"))
        let article = "From: a@b.example\nNewsgroups: test.keep\nSubject: n4\nMessage-ID: <keep4@x.example>\n\nbody 4\n"
        #expect(try await client.postArticle(article).code == 240)
        #expect(try await client.command("GROUP test.keep").text.hasPrefix("4 1 4 test.keep"))
        try await client.close()
        try await app.stop()
    }

    @Test("a cross-post is numbered in each group and served identically from both")
    func crossPost() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let app = try await RunningApp.start(
            RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, "http://127.0.0.1:9")])
        )
        try await app.database.createGroup(name: "test.a", mode: .off, now: Date())
        try await app.database.createGroup(name: "test.b", mode: .off, now: Date())
        let client = try await app.connect()
        #expect(
            try await client.postArticle("From: a@b.example\nNewsgroups: test.b\nSubject: first\n\nx\n").code == 240
        )
        #expect(
            try await client.postArticle(
                "From: a@b.example\nNewsgroups: test.a, test.b\nSubject: both\nMessage-ID: <both@x.example>\n\n.dot line\n"
            ).code == 240
        )
        let a = try await client.overview(group: "test.a")
        let b = try await client.overview(group: "test.b")
        #expect(a.map { $0[0] } == ["1"])
        #expect(b.map { $0[0] } == ["1", "2"])
        #expect(a[0][8] == "Xref: forllm.local test.a:1 test.b:2")
        #expect(b[1][1...] == a[0][1...])
        _ = try await client.command("GROUP test.a")
        let fromA = try #require(try await client.fetchArticle("1"))
        _ = try await client.command("GROUP test.b")
        let fromB = try #require(try await client.fetchArticle("2"))
        #expect(fromA == fromB)
        #expect(String(decoding: fromA.body, as: UTF8.self) == ".dot line\r\n")
        try await client.close()
        try await app.stop()
    }

    @Test("pipelined commands against the real store are answered in order")
    func pipelining() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let app = try await RunningApp.start(
            RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, "http://127.0.0.1:9")])
        )
        try await app.database.createGroup(name: "test.pipe", mode: .off, now: Date())
        for index in 1...20 {
            _ = try await app.forum.inject(
                raw: Array("From: a@b.example\r\nNewsgroups: test.pipe\r\nSubject: s\(index)\r\n\r\nbody\r\n".utf8)
            )
        }
        let client = try await app.connect()
        var batch = "GROUP test.pipe\r\n"
        for index in 1...20 { batch += "STAT \(index)\r\nHEAD \(index)\r\n" }
        batch += "DATE\r\n"
        try await client.sendRaw(batch)
        #expect(try await client.readStatus().code == 211)
        for index in 1...20 {
            let stat = try await client.readStatus()
            #expect(stat.code == 223 && stat.text.hasPrefix("\(index) <"))
            #expect(try await client.readStatus().code == 221)
            let head = try await client.readMultiline()
            #expect(head.contains("Subject: s\(index)"))
        }
        #expect(try await client.readStatus().code == 111)
        try await client.close()
        try await app.stop()
    }

    @Test("Thunderbird's Cancel Message: 240, the article is gone, nothing is answered")
    func thunderbirdCancel() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let app = try await RunningApp.start(
            RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, "http://127.0.0.1:9")])
        )
        let client = try await app.connect()
        let post = Self.post.replacingOccurrences(of: "X-FORLLM-Request: assistant\n", with: "")
        #expect(try await client.postArticle(post).code == 240)
        #expect(try await client.command("STAT <proof.1@example.org>").code == 223)
        // What Thunderbird 153 sent for "Cancel Message" (recorded).
        let cancel = """
            From: Jane Doe <jane@example.org>
            Newsgroups: forllm.general
            Subject: cancel <proof.1@example.org>
            References: <proof.1@example.org>
            Control: cancel <proof.1@example.org>
            Mime-Version: 1.0
            Content-Type: text/plain; charset=utf-8; format=flowed
            Content-Transfer-Encoding: 7bit

            This message was cancelled from within Mozilla Thunderbird.
            """
        #expect(try await client.postArticle(cancel).code == 240)
        #expect(try await client.command("STAT <proof.1@example.org>").code == 430)
        #expect(try await client.command("GROUP forllm.general").text.hasPrefix("0 "))
        let requests = try await app.database.requests()
        #expect(requests.count == 1)
        #expect(requests.first?.status == .cancelled)
        try await client.close()
        try await app.stop()
    }
}
