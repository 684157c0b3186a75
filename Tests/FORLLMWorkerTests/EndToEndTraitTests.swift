import FORLLMTestSupport
import Synchronization
import Testing

@Suite("End-to-end slots and their time limit", .timeLimit(.minutes(1)))
struct EndToEndTraitTests {
    /// Opened once; everyone who waits before or after goes on.
    actor Gate {
        private var isOpen = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if self.isOpen { return }
            await withCheckedContinuation { self.waiting.append($0) }
        }
        func open() {
            self.isOpen = true
            for continuation in self.waiting { continuation.resume() }
            self.waiting = []
        }
    }

    /// Who is inside a slot now, the most at once, and how many have been.
    actor Counts {
        var inside = 0
        var most = 0
        var ran = 0
        func enter() {
            self.inside += 1
            self.most = max(self.most, self.inside)
        }
        func leave() {
            self.inside -= 1
            self.ran += 1
        }
    }

    @Test("two slots: two run, the other four wait until one ends, and every one runs")
    func slotsBoundConcurrency() async throws {
        let slots = EndToEndSlots(width: 2)
        let gate = Gate()
        let counts = Counts()
        let (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
        let tasks = (0..<6).map { _ in
            Task {
                await slots.withSlot {
                    await counts.enter()
                    enteredContinuation.yield()
                    await gate.wait()
                    await counts.leave()
                }
            }
        }
        var iterator = entered.makeAsyncIterator()
        _ = await iterator.next()
        _ = await iterator.next()
        // Everyone else reaches the queue (and no third one gets in).
        _ = try await withTimeout(.seconds(10), waitingFor: "four waiting for a slot") {
            // Polled (the slots announce nothing); the sleep throws when the time is up.
            while await slots.waitingCount < 4 { try await Task.sleep(for: .milliseconds(1)) }
            return true
        }
        #expect(await counts.inside == 2)
        await gate.open()
        for task in tasks { await task.value }
        #expect(await counts.most == 2)
        #expect(await counts.ran == 6)
        #expect(await slots.waitingCount == 0)
    }

    @Test("a test body still running at its time limit is reported and cancelled")
    func timeLimitReportsAndCancels() async throws {
        let cancelled = Mutex(false)
        try await withKnownIssue {
            try await EndToEndTrait.run(
                {
                    do {
                        try await Task.sleep(for: .seconds(3600))
                    } catch {
                        cancelled.withLock { $0 = true }
                        throw error
                    }
                },
                timeLimit: .milliseconds(50)
            )
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("time limit") }
        }
        #expect(cancelled.withLock { $0 })
    }

    @Test("a body that ends in time is not reported, and its time limit does not hold it up")
    func inTime() async throws {
        let ran = Mutex(false)
        // The limit is far above the suite's own: were the timer waited for, the suite would fail.
        try await EndToEndTrait.run({ ran.withLock { $0 = true } }, timeLimit: .seconds(600))
        #expect(ran.withLock { $0 })
    }
}
