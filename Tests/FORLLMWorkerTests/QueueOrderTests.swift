import FORLLMForum
import FORLLMStore
import FORLLMWorker
import Foundation
import Testing

/// The queue ordered for the hardware: the loaded model, then the cached thread, FIFO within,
/// and a bound on how long any request can be passed over.
@Suite("Queue order")
struct QueueOrderTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func candidate(
        _ id: Int64,
        _ model: String,
        thread: String,
        backend: String = "gpu",
        passedOver: Int = 0,
        age: TimeInterval = 60
    ) -> QueueOrder.Candidate {
        QueueOrder.Candidate(
            id: id,
            backend: backend,
            model: model,
            rootMessageID: "<\(thread)@example.org>",
            createdAt: Self.now.addingTimeInterval(-age),
            passedOver: passedOver
        )
    }

    static func order(_ candidates: [QueueOrder.Candidate], loaded: [String: BackendState]) -> [Int64] {
        QueueOrder.ordered(
            candidates,
            loaded: loaded,
            now: Self.now,
            maximumPassedOver: 8,
            maximumWait: .seconds(1800)
        ).map(\.id)
    }

    @Test("the loaded model first, its cached thread before other threads, FIFO within")
    func ranks() {
        let queue = [
            Self.candidate(1, "llama3.2", thread: "a"),
            Self.candidate(2, "qwen2.5", thread: "b"),
            Self.candidate(3, "llama3.2", thread: "c"),
            Self.candidate(4, "qwen2.5", thread: "d"),
            Self.candidate(5, "qwen2.5", thread: "b"),
            Self.candidate(6, "llama3.2", thread: "b")
        ]
        let loaded = ["gpu": BackendState(model: "qwen2.5", rootMessageID: "<b@example.org>")]
        #expect(Self.order(queue, loaded: loaded) == [2, 5, 4, 1, 3, 6])
        // llm.queue_order: fifo.
        #expect(
            QueueOrder.ordered(
                queue,
                policy: .fifo,
                loaded: loaded,
                now: Self.now,
                maximumPassedOver: 8,
                maximumWait: .seconds(1800)
            )
            .map(\.id) == [1, 2, 3, 4, 5, 6]
        )
        // Nothing known about the backend: first come, first served.
        #expect(Self.order(queue, loaded: [:]) == [1, 2, 3, 4, 5, 6])
        // Another backend's state does not count for this one.
        #expect(Self.order(queue, loaded: ["cpu": loaded["gpu"]!]) == [1, 2, 3, 4, 5, 6])
    }

    @Test("the prompt the cache holds is the thread's, whichever persona: a thread's requests run back to back")
    func personas() {
        // A candidate carries no persona: the order cannot depend on who answers.
        let queue = [
            Self.candidate(1, "m", thread: "a"),
            Self.candidate(2, "m", thread: "b"),
            Self.candidate(3, "m", thread: "b"),
            Self.candidate(4, "m", thread: "c"),
            Self.candidate(5, "other", thread: "b")
        ]
        let loaded = ["gpu": BackendState(model: "m", rootMessageID: "<b@example.org>", personaID: 2)]
        #expect(Self.order(queue, loaded: loaded) == [2, 3, 1, 4, 5])
        // FIFO within the thread, across personas; the persona that ran last does not matter.
        let other = ["gpu": BackendState(model: "m", rootMessageID: "<b@example.org>", personaID: 1)]
        #expect(Self.order(queue, loaded: other) == [2, 3, 1, 4, 5])
    }

    @Test("a request passed over too often, or waiting too long, goes first")
    func aging() {
        let loaded = ["gpu": BackendState(model: "qwen2.5", rootMessageID: nil)]
        let passed = [
            Self.candidate(1, "llama3.2", thread: "a", passedOver: 8), Self.candidate(2, "qwen2.5", thread: "b")
        ]
        #expect(Self.order(passed, loaded: loaded) == [1, 2])
        let old = [Self.candidate(1, "llama3.2", thread: "a", age: 1800), Self.candidate(2, "qwen2.5", thread: "b")]
        #expect(Self.order(old, loaded: loaded) == [1, 2])
        let fresh = [
            Self.candidate(1, "llama3.2", thread: "a", passedOver: 7), Self.candidate(2, "qwen2.5", thread: "b")
        ]
        #expect(Self.order(fresh, loaded: loaded) == [2, 1])
    }

    @Test("the worker runs the loaded model's requests first and counts who it passed over")
    func worker() async throws {
        let (forum, database) = try await makeForum()
        let client = FakeLLMClient(steps: Array(repeating: .answer("An answer."), count: 4))
        let worker = makeWorker(forum: forum, clients: [client])
        var ids: [Int64] = []
        for (index, model) in ["llama3.2", "qwen2.5", "llama3.2", "qwen2.5"].enumerated() {
            let posted = try await forum.inject(
                raw: rawArticle(
                    messageID: "<q\(index)@example.org>",
                    extraHeaders: ["X-FORLLM-Request: assistant; model=\(model)"]
                )
            )
            ids.append(try #require(posted.requestIDs.first))
        }
        // FIFO at first: nothing is loaded.
        var order: [Int64] = []
        for _ in 0..<4 {
            let job = try #require(try await worker.claimRunnable().first)
            order.append(job.request.id)
            await worker.execute(job)
        }
        // 1 (llama3.2) loads llama3.2, so 3 (llama3.2) comes before 2 and 4 (qwen2.5).
        #expect(order == [ids[0], ids[2], ids[1], ids[3]])
        #expect(try await database.backendStates()["ollama"]?.model == "qwen2.5")
    }
}
