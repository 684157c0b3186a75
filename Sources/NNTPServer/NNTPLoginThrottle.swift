import Synchronization

/// Slows down guessing passwords: each failed `AUTHINFO` from a client address is answered
/// only after a delay that doubles with every failure from that address (0.5 s, 1 s, 2 s, …
/// up to ``maximumDelay``), so a guesser gets a handful of tries a minute instead of
/// thousands. A success clears the address; an address quiet for ``forgetAfter`` is
/// forgotten. Other clients are not slowed. State only: the connection sleeps.
///
/// The addresses are those of the peers (without the port): many connections from one
/// address share one count.
public final class NNTPLoginThrottle: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// The delay after the first failure.
    public let baseDelay: Duration
    /// The longest delay.
    public let maximumDelay: Duration
    /// An address with no failure for this long starts again from ``baseDelay``.
    public let forgetAfter: Duration

    private struct Entry {
        var failures: Int
        var last: Instant
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init(
        baseDelay: Duration = .milliseconds(500),
        maximumDelay: Duration = .seconds(30),
        forgetAfter: Duration = .seconds(15 * 60)
    ) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.forgetAfter = forgetAfter
    }

    /// Records a failed login from `address` at `now`; returns how long to wait before
    /// answering it and how many failures in a row the address has.
    public func failed(from address: String, at now: Instant) -> (delay: Duration, failures: Int) {
        self.entries.withLock { entries in
            // Forget quiet addresses, so that the table cannot grow without bound.
            if entries.count > 1024 {
                entries = entries.filter { now - $0.value.last < self.forgetAfter }
            }
            var entry = entries[address] ?? Entry(failures: 0, last: now)
            if now - entry.last >= self.forgetAfter { entry.failures = 0 }
            entry.failures += 1
            entry.last = now
            entries[address] = entry
            let shift = min(entry.failures - 1, 20)
            return (min(self.baseDelay * (1 << shift), self.maximumDelay), entry.failures)
        }
    }

    /// A login from `address` succeeded: its count starts again.
    public func succeeded(from address: String) {
        _ = self.entries.withLock { $0.removeValue(forKey: address) }
    }
}
