import Foundation
import Testing

/// The trait of a suite (or test) that runs real servers, stubs and child processes: at most
/// ``EndToEndSlots/width`` such tests run at once, and each has a time limit on its own running
/// time.
///
/// Why: `swift test` starts every test at once (swift-testing's default), hundreds of them. The
/// unit tests finish in moments, but a few hundred end-to-end tests at once on a two-core
/// machine each get a sliver of the CPU, and their waits for an event (10 to 30 seconds) run out
/// before the event comes: plain `swift test` failed by the dozen there. With the slots, only a
/// few run beside each other and the others queue; the suite takes no longer, and a user's
/// `swift test` passes on a small machine as it does on a large one.
///
/// The time limit starts when the test has its slot (swift-testing's `.timeLimit` would also count
/// the wait for the slot, so these suites use this one instead): a test that hangs still fails
/// rather than holding the run up forever.
public struct EndToEndTrait: SuiteTrait, TestTrait, TestScoping {
    /// How long one test may run once it has its slot.
    public var timeLimit: Duration

    /// Applies to each test of a suite it is on.
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await EndToEndSlots.shared.withSlot {
            try await Self.run(function, timeLimit: self.timeLimit)
        }
    }

    /// Runs `function`; when it is still running after `timeLimit`, records an issue and cancels it.
    public static func run(_ function: @Sendable () async throws -> Void, timeLimit: Duration) async throws {
        try await withoutActuallyEscaping(function) { function in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await function()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: timeLimit)
                    return false
                }
                // The group waits for both children before it returns, so `function` never
                // outlives this call (what `withoutActuallyEscaping` requires).
                defer { group.cancelAll() }
                if try await group.next() == false {
                    Issue.record("still running after its time limit of \(timeLimit) (the wait for a slot not counted)")
                }
            }
        }
    }
}

extension Trait where Self == EndToEndTrait {
    /// An end-to-end suite or test (``EndToEndTrait``), with a time limit of three minutes.
    public static var endToEnd: Self { Self(timeLimit: .seconds(180)) }

    /// An end-to-end suite or test (``EndToEndTrait``) with its own time limit.
    public static func endToEnd(timeLimit: Duration) -> Self { Self(timeLimit: timeLimit) }
}

/// The slots the tests marked ``EndToEndTrait`` share: a counting semaphore for async code,
/// first come first served.
public actor EndToEndSlots {
    /// The one set of slots of the test process.
    public static let shared = EndToEndSlots(width: EndToEndSlots.width)

    /// How many end-to-end tests run at once: `FORLLM_TEST_END_TO_END_WIDTH` if it is set,
    /// otherwise twice the number of processors, at least 4 (measured on two cores: 4 at once keep
    /// every wait well inside its limit, and the suite no slower than with more).
    public static var width: Int {
        if let value = ProcessInfo.processInfo.environment["FORLLM_TEST_END_TO_END_WIDTH"], let width = Int(value),
            width > 0
        {
            return width
        }
        return max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
    }

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(width: Int) {
        self.free = width
    }

    /// How many callers wait for a slot now.
    public var waitingCount: Int { self.waiting.count }

    /// Runs `body` holding a slot, waiting for one first if all are taken.
    public func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await self.acquire()
        defer { self.release() }
        return try await body()
    }

    private func acquire() async {
        if self.free > 0 {
            self.free -= 1
            return
        }
        await withCheckedContinuation { self.waiting.append($0) }
    }

    private func release() {
        if self.waiting.isEmpty {
            self.free += 1
        } else {
            // The slot passes straight to the first waiter: `free` stays as it is.
            self.waiting.removeFirst().resume()
        }
    }
}
