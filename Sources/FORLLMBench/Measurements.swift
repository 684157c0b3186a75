import Foundation
import Synchronization

/// Durations, percentiles and the `key=value` lines scripts/bench reads.
enum Measurements {
    /// Microseconds in `duration`.
    static func micros(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }

    static func seconds(_ duration: Duration) -> Double {
        self.micros(duration) / 1e6
    }

    /// The `p`-th percentile (0...100) of `values` by nearest rank; 0 for none.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank - 1, 0), sorted.count - 1)]
    }

    static func median(_ values: [Double]) -> Double {
        self.percentile(values, 50)
    }

    /// Prints `key=value` (the value with `digits` decimals when it is a number).
    static func report(_ key: String, _ value: Double, digits: Int = 0) {
        self.report(key, String(format: "%.\(digits)f", value))
    }

    static func report(_ key: String, _ value: Int) {
        self.report(key, String(value))
    }

    static func report(_ key: String, _ value: String) {
        // Unbuffered: scripts/bench reads `launch`'s output while it is still running.
        FileHandle.standardOutput.write(Data("\(key)=\(value)\n".utf8))
    }

    /// A progress or diagnostic line for people (stderr, so scripts reading stdout ignore it).
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("forllm-bench: \(text)\n".utf8))
    }
}

/// Lines collected by concurrent tasks (refusals, errors).
final class Tally: Sendable {
    private let lines = Mutex<[String]>([])

    func add(_ line: String) {
        self.lines.withLock { $0.append(line) }
    }

    var all: [String] {
        self.lines.withLock { $0 }
    }
}

/// Lets `count` tasks meet: each calls ``arrive()``, and all return once the last one
/// arrived. The last one first runs `action` (to sample the server's CPU time at that instant).
final class Barrier: Sendable {
    private struct State {
        var arrived = 0
        var opened: ContinuousClock.Instant?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let count: Int
    private let action: @Sendable () -> Void
    private let state = Mutex(State())

    init(count: Int, action: @escaping @Sendable () -> Void = {}) {
        self.count = count
        self.action = action
    }

    /// Suspends until `count` callers arrived.
    func arrive() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isLast: Bool = self.state.withLock { state in
                state.arrived += 1
                state.waiters.append(continuation)
                return state.arrived == self.count
            }
            guard isLast else { return }
            self.action()
            let release = self.state.withLock { state in
                state.opened = .now
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in release { waiter.resume() }
        }
    }

    /// When the last caller arrived.
    var openedAt: ContinuousClock.Instant? {
        self.state.withLock { $0.opened }
    }
}
