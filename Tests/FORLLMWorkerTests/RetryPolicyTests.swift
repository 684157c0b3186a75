import Foundation
import Testing

@testable import FORLLMWorker

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maximumAttempts: 3, retryDelay: .seconds(30), unreachableWait: .seconds(86_400))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the backoff doubles with each attempt, at most one hour")
    func backoff() {
        let delays = (1...9).map { self.policy.retryDelay(afterAttempt: $0) }
        #expect(delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600].map { Duration.seconds($0) })
        #expect(self.policy.retryDelay(afterAttempt: 0) == .seconds(30))
        #expect(self.policy.retryDelay(afterAttempt: 1000) == .seconds(3600))
    }

    @Test("a retryable failure is retried until the attempts are spent")
    func retryable() {
        #expect(
            self.policy.decision(after: .retryable, attempts: 1, waitingSince: nil, now: self.now)
                == .retry(at: self.now.addingTimeInterval(30))
        )
        #expect(
            self.policy.decision(after: .retryable, attempts: 2, waitingSince: nil, now: self.now)
                == .retry(at: self.now.addingTimeInterval(60))
        )
        #expect(self.policy.decision(after: .retryable, attempts: 3, waitingSince: nil, now: self.now) == .fail)
    }

    @Test("a permanent failure fails at once")
    func permanent() {
        #expect(self.policy.decision(after: .permanent, attempts: 1, waitingSince: nil, now: self.now) == .fail)
    }

    @Test("an unreachable backend is waited for, tries further apart, at most five minutes")
    func unreachable() {
        let deadline = self.now.addingTimeInterval(86_400)
        // However many attempts: waiting does not spend them.
        #expect(
            self.policy.decision(after: .unreachable, attempts: 3, waitingSince: nil, now: self.now)
                == .waitForBackend(retryAt: self.now.addingTimeInterval(30), deadline: deadline)
        )
        let later = self.now.addingTimeInterval(200)
        #expect(
            self.policy.decision(after: .unreachable, attempts: 0, waitingSince: self.now, now: later)
                == .waitForBackend(retryAt: later.addingTimeInterval(100), deadline: deadline)
        )
        let muchLater = self.now.addingTimeInterval(20 * 3600)
        #expect(
            self.policy.decision(after: .unreachable, attempts: 0, waitingSince: self.now, now: muchLater)
                == .waitForBackend(retryAt: muchLater.addingTimeInterval(300), deadline: deadline)
        )
    }

    @Test("the wait for an unreachable backend ends after unreachableWait")
    func stopWaiting() {
        let dayLater = self.now.addingTimeInterval(86_400)
        #expect(
            self.policy.decision(after: .unreachable, attempts: 0, waitingSince: self.now, now: dayLater)
                == .stopWaiting(waited: 86_400)
        )
    }

    @Test(
        "errors count by their code: unreachable, retryable, or permanent",
        arguments: [
            (LLMError(.unreachable, "x"), RetryPolicy.Failure.unreachable),
            (LLMError(.connectionFailed, "x"), .retryable),
            (LLMError(.timedOut, "x"), .retryable),
            (LLMError(.invalidResponse, "x"), .retryable),
            (LLMError(.badStatus, "x", httpStatus: 503), .retryable),
            (LLMError(.badStatus, "x", httpStatus: 400), .permanent),
            (LLMError(.modelNotFound, "x"), .permanent),
            (LLMError(.notRunnable, "x"), .permanent)
        ]
    )
    func classification(error: LLMError, failure: RetryPolicy.Failure) {
        #expect(RetryPolicy.Failure(error) == failure)
    }

    @Test("an error that is not an LLMError is permanent")
    func otherErrors() {
        struct Other: Error {}
        #expect(RetryPolicy.Failure(Other()) == .permanent)
    }
}
