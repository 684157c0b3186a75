import FORLLMTestSupport
import Foundation
import Testing

@testable import FORLLMWorker

@Suite("ManualClock and Timeline", .timeLimit(.minutes(1)))
struct ManualClockTests {
    @Test("a sleeper wakes when the clock reaches its deadline, not before")
    func sleepUntilAdvanced() async throws {
        let clock = ManualClock()
        let sleeper = Task {
            try await clock.sleep(for: .seconds(10))
            return clock.now.offset
        }
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        #expect(try await sleeper.value == .seconds(10))
        #expect(clock.sleeperCount == 0)
    }

    @Test("a deadline already reached returns at once")
    func pastDeadline() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(5))
        try await clock.sleep(until: ManualClock.Instant(offset: .seconds(5)))
        try await clock.sleep(for: .zero)
    }

    @Test("cancelling a sleeper ends its sleep with CancellationError")
    func cancellation() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        await clock.waitForSleepers(atLeast: 1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test("the wall-clock date moves with the instant")
    func date() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ManualClock(date: start)
        #expect(clock.date == start)
        clock.advance(by: .milliseconds(1500))
        #expect(clock.date == start.addingTimeInterval(1.5))
        clock.advance(to: ManualClock.Instant(offset: .seconds(1)))
        #expect(clock.now.offset == .milliseconds(1500))
    }

    @Test("a timeline reads and sleeps on its clock, from the instant it was made")
    func timeline() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(100))
        let timeline = Timeline(clock)
        #expect(timeline.now == .zero)
        let sleeper = Task {
            try await timeline.sleep(until: .seconds(2))
            return timeline.now
        }
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(2))
        #expect(try await sleeper.value == .seconds(2))
    }
}
