import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import Testing

/// Several LLM servers behind one forum: both wire formats, per-backend concurrency, a backend
/// that is down or hangs, the fallback, and every level of model and backend choice.
@Suite("End to end: backends and models", .endToEnd)
struct EndToEndBackendTests {
    static func question(
        _ id: String,
        group: String = "forllm.general",
        request: String? = nil,
        body: String = "Hi"
    )
        -> String
    {
        var lines = [
            "From: Jane Doe <jane@example.org>", "Newsgroups: \(group)", "Subject: Question \(id)",
            "Message-ID: <\(id)@example.org>"
        ]
        if let request { lines.append("X-FORLLM-Request: \(request)") }
        return lines.joined(separator: "\n") + "\n\n\(body)\n"
    }

    static func backend(
        _ name: String,
        _ type: FORLLMConfiguration.BackendType,
        _ url: String,
        concurrency: Int = 1,
        fallback: String? = nil,
        fallbackAfterSeconds: Int = 60
    ) -> FORLLMConfiguration.Backend {
        FORLLMConfiguration.Backend(
            name: name,
            type: type,
            url: URL(string: url),
            // Far above any wait of these tests: a gated stub is silent until its gate opens, and on
            // a loaded machine (a fresh clone's first run) that took over 30 s once, so a retry
            // came and the count of requests was off by one.
            inactivityTimeout: .seconds(300),
            concurrency: concurrency,
            fallback: fallback,
            fallbackAfter: .seconds(fallbackAfterSeconds)
        )
    }

    /// The answer to `<id@example.org>` in `group`, read over NNTP.
    static func answer(to id: String, group: String = "forllm.general", client: NNTPTestClient) async throws -> Article?
    {
        for line in try await client.overview(group: group) where line[5].hasSuffix("<\(id)@example.org>") {
            return try await client.fetchArticle(String(line[0]))
        }
        return nil
    }

    @Test("an Ollama and an OpenAI backend answer side by side; neither runs more than its concurrency")
    func twoBackendsConcurrency() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let ollama = LLMStubServer(.ollama, models: [.init(name: "llama3.2")])
        let openai = LLMStubServer(.openai, models: [.init(name: "smollm2")])
        try await ollama.start()
        try await openai.start()
        await ollama.setDefaultBehaviour(LLMStubBehaviour.answer(["From Ollama."]).gated())
        await openai.setDefaultBehaviour(LLMStubBehaviour.answer(["From the OpenAI server."]).gated())
        var configuration = RunningApp.configuration(directory: directory, backends: [])
        configuration.backends = [
            Self.backend("gpu", .ollama, await ollama.baseURL, concurrency: 1),
            Self.backend("cpu", .openai, await openai.baseURL, concurrency: 2)
        ]
        configuration.worker.defaultBackend = "gpu"
        let app = try await RunningApp.start(configuration)
        let client = try await app.connect()
        for index in 1...3 {
            #expect(
                try await client.postArticle(Self.question("g\(index)", request: "default; backend=gpu")).code == 240
            )
            #expect(
                try await client.postArticle(Self.question("c\(index)", request: "default; model=smollm2")).code == 240
            )
        }
        // Both servers are busy at once, each up to its own limit.
        await ollama.waitForInFlight(atLeast: 1)
        await openai.waitForInFlight(atLeast: 2)
        await ollama.openGate()
        await openai.openGate()
        _ = try await app.waitFor("six answers") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE status = 'done'") == 6 ? true : nil
        }
        #expect(await ollama.maxInFlight == 1)
        #expect(await openai.maxInFlight == 2)
        #expect(await ollama.chatRequests.count == 3)
        #expect(await openai.chatRequests.count == 3)
        for index in 1...3 {
            let gpu = try #require(try await Self.answer(to: "g\(index)", client: client))
            #expect(gpu["X-FORLLM-Backend"] == "gpu")
            #expect(gpu["X-FORLLM-Model"] == "llama3.2")
            #expect(ArticleText.plainText(of: gpu).hasPrefix("From Ollama."))
            let cpu = try #require(try await Self.answer(to: "c\(index)", client: client))
            #expect(cpu["X-FORLLM-Backend"] == "cpu")
            #expect(cpu["X-FORLLM-Model"] == "smollm2")
            #expect(ArticleText.plainText(of: cpu).hasPrefix("From the OpenAI server."))
        }
        try await client.close()
        try await app.stop()
        await ollama.shutdown()
        await openai.shutdown()
    }

    @Test("a backend that hangs or is down holds up only its own requests")
    func oneBackendDown() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let hanging = LLMStubServer(.ollama)
        let working = LLMStubServer(.openai, models: [.init(name: "llama3.2")])
        try await hanging.start()
        try await working.start()
        let closed = try ClosedPort()
        defer { closed.release() }
        let closedPort = closed.port
        await hanging.setDefaultBehaviour(.hangBeforeHeaders)
        var configuration = RunningApp.configuration(directory: directory, backends: [])
        configuration.backends = [
            Self.backend("hangs", .ollama, await hanging.baseURL),
            Self.backend("works", .openai, await working.baseURL),
            Self.backend("down", .ollama, "http://127.0.0.1:\(closedPort)")
        ]
        configuration.worker.defaultBackend = "hangs"
        configuration.worker.retryDelay = .seconds(3600)  // the failed one waits long after its first attempt
        let app = try await RunningApp.start(configuration)
        let client = try await app.connect()
        #expect(try await client.postArticle(Self.question("h", request: "default; backend=hangs")).code == 240)
        await hanging.waitForInFlight(atLeast: 1)
        #expect(try await client.postArticle(Self.question("d", request: "default; backend=down")).code == 240)
        #expect(try await client.postArticle(Self.question("w", request: "default; backend=works")).code == 240)
        let requests = try await app.database.requests().sorted { $0.id < $1.id }
        #expect(requests.count == 3)
        let works = try await app.waitForRequest(requests[2].id)
        #expect(works.backend == "works")
        // The one on the closed port waits for its backend; the hanging one is still running.
        let down = try await app.waitFor("the request on 'down' to wait for it") { db in
            try ReplyRequest.fetchOne(
                db,
                sql: "SELECT * FROM request WHERE id = ? AND error IS NOT NULL",
                arguments: [requests[1].id]
            )
        }
        #expect(down.status == .pending)
        #expect(down.attempts == 0)
        #expect(down.error?.hasPrefix("waiting for backend down: cannot reach") == true)
        #expect(try await app.database.request(id: requests[0].id).status == .running)
        let answer = try #require(try await Self.answer(to: "w", client: client))
        #expect(answer["X-FORLLM-Backend"] == "works")
        try await client.close()
        try await app.stop()
        // Shutdown put the hanging generation back.
        let reopened = try await ForumDatabase.open(path: directory.databasePath)
        #expect(try await reopened.request(id: requests[0].id).status == .pending)
        try await reopened.close()
        await hanging.shutdown()
        await working.shutdown()
    }

    @Test("while the first backend is unreachable its requests go to the fallback, and the answer says so")
    func fallback() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let closed = try ClosedPort()
        defer { closed.release() }
        let closedPort = closed.port
        try await LLMStubServer(.openai, models: [.init(name: "llama3.2")]).run { cpu in
            var configuration = RunningApp.configuration(directory: directory, backends: [])
            configuration.backends = [
                Self.backend(
                    "gpu",
                    .ollama,
                    "http://127.0.0.1:\(closedPort)",
                    fallback: "cpu",
                    fallbackAfterSeconds: 0
                ),
                Self.backend("cpu", .openai, await cpu.baseURL)
            ]
            configuration.worker.defaultBackend = "gpu"
            let app = try await RunningApp.start(configuration)
            let client = try await app.connect()
            #expect(try await client.postArticle(Self.question("f", request: "default; backend=gpu")).code == 240)
            let id = try #require(try await app.database.requests().first?.id)
            let done = try await app.waitForRequest(id)
            #expect(done.backend == "cpu")
            let answer = try #require(try await Self.answer(to: "f", client: client))
            #expect(answer["X-FORLLM-Backend"] == "cpu")
            #expect(ArticleText.plainText(of: answer).hasSuffix("llama3.2 on cpu"))
            #expect(await cpu.chatRequests.count == 1)
            try await client.close()
            try await app.stop()
        }
    }

    @Test("model: the request's, else the persona's, else the group's, else the configuration's; backend likewise")
    func choiceLevels() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let first = LLMStubServer(
            .ollama,
            models: [
                .init(name: "base"), .init(name: "group-model"), .init(name: "persona-model"), .init(name: "asked")
            ]
        )
        let second = LLMStubServer(.openai, models: [.init(name: "only-second"), .init(name: "base")])
        try await first.start()
        try await second.start()
        var configuration = RunningApp.configuration(directory: directory, backends: [])
        configuration.backends = [
            Self.backend("first", .ollama, await first.baseURL),
            Self.backend("second", .openai, await second.baseURL)
        ]
        configuration.worker.defaultBackend = "first"
        configuration.worker.defaultModel = "base"
        let app = try await RunningApp.start(configuration)
        try await app.database.createGroup(name: "forllm.kitchen", mode: .request, now: Date())
        _ = try await app.database.editGroup("forllm.kitchen", GroupChanges(defaultModel: "group-model"))
        try await app.database.createGroup(name: "forllm.hall", mode: .request, now: Date())
        _ = try await app.database.editGroup("forllm.hall", GroupChanges(defaultBackend: "second"))
        try await app.forum.createPersona(
            name: "Chef",
            handle: "chef",
            instructions: "Cook.",
            model: "persona-model",
            by: "t"
        )
        let client = try await app.connect()
        let cases: [(id: String, group: String, request: String, model: String, backend: String)] = [
            ("config", "forllm.general", "assistant", "base", "first"),
            ("group", "forllm.kitchen", "assistant", "group-model", "first"),
            ("persona", "forllm.kitchen", "chef", "persona-model", "first"),
            ("request", "forllm.kitchen", "chef; model=asked", "asked", "first"),
            ("offering", "forllm.general", "assistant; model=only-second", "only-second", "second"),
            ("group-backend", "forllm.hall", "assistant", "base", "second"),
            ("asked-backend", "forllm.hall", "assistant; backend=first", "base", "first")
        ]
        for item in cases {
            #expect(
                try await client.postArticle(Self.question(item.id, group: item.group, request: item.request)).code
                    == 240
            )
        }
        _ = try await app.waitFor("every answer") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE status = 'done'") == cases.count ? true : nil
        }
        for item in cases {
            let answer = try #require(
                try await Self.answer(to: item.id, group: item.group, client: client),
                "\(item.id)"
            )
            #expect(answer["X-FORLLM-Model"] == item.model, "\(item.id)")
            #expect(answer["X-FORLLM-Backend"] == item.backend, "\(item.id)")
        }
        let firstModels = await first.chatRequests.compactMap(\.model).sorted()
        #expect(firstModels == ["asked", "base", "base", "group-model", "persona-model"])
        #expect(await second.chatRequests.compactMap(\.model).sorted() == ["base", "only-second"])
        try await client.close()
        try await app.stop()
        await first.shutdown()
        await second.shutdown()
    }
}
