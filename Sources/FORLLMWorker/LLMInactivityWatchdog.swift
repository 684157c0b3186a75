import Synchronization

/// Remembers when data last arrived, and waits until it has been silent for too long; both
/// on the client's injected clock.
final class LLMInactivityWatchdog: Sendable {
    private let timeline: Timeline
    /// When data last arrived (or the watchdog was made), on `timeline`.
    private let lastActivity: Mutex<Duration>

    init(timeline: Timeline) {
        self.timeline = timeline
        self.lastActivity = Mutex(timeline.now)
    }

    func touch() {
        let now = self.timeline.now
        self.lastActivity.withLock { $0 = now }
    }

    /// Returns once nothing arrived for `timeout`; throws `CancellationError` when cancelled.
    func waitForSilence(of timeout: Duration) async throws {
        while true {
            let deadline = self.lastActivity.withLock { $0 } + timeout
            if self.timeline.now >= deadline {
                return
            }
            try await self.timeline.sleep(until: deadline)
        }
    }
}
