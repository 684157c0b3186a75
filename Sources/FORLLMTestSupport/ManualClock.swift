import Foundation
import Synchronization

/// A `Clock` for tests that moves only when the test moves it: ``sleep(until:tolerance:)``
/// suspends until ``advance(by:)`` reaches the deadline (or the sleeping task is cancelled).
/// Code under test takes it where production code takes `ContinuousClock()`, so that a
/// timeout or a delay is tested without waiting and without depending on the machine's speed.
///
/// It also tells the wall-clock ``date`` that goes with its instant, for code that takes a
/// `now: () -> Date` source for what it stores: both move together.
///
/// ```swift
/// let clock = ManualClock(date: Date(timeIntervalSince1970: 1_800_000_000))
/// let worker = ReplyWorker(..., clock: clock, now: { clock.date }, ...)
/// clock.advance(by: .seconds(30))     // resumes every sleeper whose deadline is reached
/// ```
public final class ManualClock: Clock, Sendable {
    /// An instant: the time since the clock was made.
    public struct Instant: InstantProtocol, CustomStringConvertible {
        public var offset: Swift.Duration

        public init(offset: Swift.Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Swift.Duration) -> Instant {
            Instant(offset: self.offset + duration)
        }

        public func duration(to other: Instant) -> Swift.Duration {
            other.offset - self.offset
        }

        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        public var description: String { "ManualClock.Instant(\(self.offset))" }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Int: Sleeper] = [:]
        var nextID = 0
        var sleeperWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let startDate: Date

    /// A clock at instant zero, whose ``date`` is `date` then.
    public init(date: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.startDate = date
    }

    public var now: Instant {
        self.state.withLock { $0.now }
    }

    public var minimumResolution: Swift.Duration { .zero }

    /// The wall-clock date at the current instant: the start date plus the time advanced.
    public var date: Date {
        let offset = self.now.offset
        let seconds = Double(offset.components.seconds) + Double(offset.components.attoseconds) / 1e18
        return self.startDate.addingTimeInterval(seconds)
    }

    /// How many tasks are sleeping on this clock now.
    public var sleeperCount: Int {
        self.state.withLock { $0.sleepers.count }
    }

    /// Suspends until the clock is advanced to `deadline` (returns at once if it is there
    /// already); throws `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Cancellation may come before the continuation is stored: it is checked under
                // the lock, and `onCancel` takes the lock too.
                let outcome: Result<Void, any Error>? = self.state.withLock { state in
                    if Task.isCancelled {
                        return .failure(CancellationError())
                    }
                    if deadline <= state.now {
                        return .success(())
                    }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome {
                    continuation.resume(with: outcome)
                } else {
                    self.resumeSleeperWaiters()
                }
            }
        } onCancel: {
            let sleeper = self.state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` and resumes the sleepers whose deadline it
    /// reached, earliest deadline first.
    public func advance(by duration: Swift.Duration) {
        precondition(duration >= .zero, "a clock does not go back")
        let due = self.state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys {
                state.sleepers.removeValue(forKey: id)
            }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due {
            sleeper.continuation.resume()
        }
    }

    /// Moves the clock forward to `instant` (nothing happens when it is there already).
    public func advance(to instant: Instant) {
        let now = self.now
        if now < instant {
            self.advance(by: now.duration(to: instant))
        }
    }

    /// Suspends until at least `count` tasks sleep on this clock: the code under test has
    /// reached its wait, so that advancing the clock now is seen by it.
    public func waitForSleepers(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = self.state.withLock { state in
                if state.sleepers.count >= count {
                    return true
                }
                state.sleeperWaiters.append((count, continuation))
                return false
            }
            if ready {
                continuation.resume()
            }
        }
    }

    private func resumeSleeperWaiters() {
        let ready = self.state.withLock { state in
            let count = state.sleepers.count
            let ready = state.sleeperWaiters.filter { $0.count <= count }
            state.sleeperWaiters.removeAll { $0.count <= count }
            return ready
        }
        for waiter in ready {
            waiter.continuation.resume()
        }
    }
}
