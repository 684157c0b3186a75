import Foundation

/// What becomes of a request whose run failed: tried again after a backoff, kept waiting for a
/// backend that cannot be reached, or failed for good. Plain values in, a ``Decision`` out; the
/// worker carries it out.
///
/// ```
/// unreachable backend   wait without spending an attempt, tries `retryDelay`…5 min apart,
///                       until `unreachableWait` has passed since the wait began; then fail
/// retryable failure     retry after retryDelay × 2^(attempt-1) (at most 1 h) while
///                       attempts < maximumAttempts; then fail
/// anything else         fail
/// ```
struct RetryPolicy: Hashable, Sendable {
    /// Attempts before a request fails for good.
    var maximumAttempts: Int
    /// Delay before the first retry; doubled for each further attempt, at most one hour.
    var retryDelay: Duration
    /// How long a request waits for a backend that cannot be reached at all before it fails.
    var unreachableWait: Duration

    /// The longest backoff between two attempts.
    static let maximumRetryDelay: Duration = .seconds(3600)
    /// The longest pause between two tries of an unreachable backend.
    static let maximumUnreachableRetryDelay: TimeInterval = 300

    init(maximumAttempts: Int, retryDelay: Duration, unreachableWait: Duration) {
        self.maximumAttempts = maximumAttempts
        self.retryDelay = retryDelay
        self.unreachableWait = unreachableWait
    }

    init(_ configuration: WorkerConfiguration) {
        self.init(
            maximumAttempts: configuration.maximumAttempts,
            retryDelay: configuration.retryDelay,
            unreachableWait: configuration.unreachableWait
        )
    }

    /// How a failure counts.
    enum Failure: Hashable, Sendable {
        /// The backend could not be reached at all (not started, switched off).
        case unreachable
        /// Trying again later may help (a timeout, a 5xx, an unusable answer).
        case retryable
        /// Trying again cannot help (an unknown model, a bad key, a removed article).
        case permanent

        /// How `error` counts: only ``LLMError``s can be worth another try.
        init(_ error: any Error) {
            guard let error = error as? LLMError else {
                self = .permanent
                return
            }
            if error.code == .unreachable {
                self = .unreachable
            } else if error.isRetryable {
                self = .retryable
            } else {
                self = .permanent
            }
        }
    }

    /// What to do with the request.
    enum Decision: Hashable, Sendable {
        /// Try again at `at`; the failed attempt counts.
        case retry(at: Date)
        /// Try again at `retryAt` without counting an attempt; the wait for the backend ends at
        /// `deadline`.
        case waitForBackend(retryAt: Date, deadline: Date)
        /// The backend has been unreachable for `waited` seconds, as long as the wait allows:
        /// fail for good.
        case stopWaiting(waited: TimeInterval)
        /// Fail for good.
        case fail
    }

    /// The decision after a run that failed with `failure`.
    /// - Parameters:
    ///   - attempts: the attempts made, the failed one included.
    ///   - waitingSince: when the request began waiting for its backend, if it is waiting.
    ///   - now: the wall-clock time of the failure.
    func decision(after failure: Failure, attempts: Int, waitingSince: Date?, now: Date) -> Decision {
        switch failure {
        case .unreachable:
            let since = waitingSince ?? now
            let deadline = since.addingTimeInterval(Self.seconds(self.unreachableWait))
            guard now < deadline else {
                return .stopWaiting(waited: now.timeIntervalSince(since))
            }
            let delay = self.unreachableRetryDelay(waited: now.timeIntervalSince(since))
            return .waitForBackend(retryAt: now.addingTimeInterval(Self.seconds(delay)), deadline: deadline)
        case .retryable where attempts < self.maximumAttempts:
            return .retry(at: now.addingTimeInterval(Self.seconds(self.retryDelay(afterAttempt: attempts))))
        case .retryable, .permanent:
            return .fail
        }
    }

    /// `retryDelay × 2^(attempt-1)`, at most one hour.
    func retryDelay(afterAttempt attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt - 1, 0), 16)
        return min(self.retryDelay * factor, Self.maximumRetryDelay)
    }

    /// While a backend cannot be reached: half the time waited so far, at least `retryDelay`
    /// and at most five minutes, so that a backend started in the morning is noticed soon.
    func unreachableRetryDelay(waited: TimeInterval) -> Duration {
        let seconds = min(max(Self.seconds(self.retryDelay), waited / 2), Self.maximumUnreachableRetryDelay)
        return .milliseconds(Int64(seconds * 1000))
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
