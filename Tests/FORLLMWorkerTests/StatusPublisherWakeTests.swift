import FORLLMForum
import Foundation
import Testing

@testable import FORLLMWorker

/// Which forum events wake the publisher of `forllm.status` between its regular passes.
@Suite("Status publisher wake-ups")
struct StatusPublisherWakeTests {
    static let date = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("a post that queued requests, an answer and a failure wake it; a post that asked for nothing does not")
    func wakes() {
        #expect(StatusPublisher.wakes(on: ForumEvent(event: .posted, requestIds: [7], date: Self.date)))
        #expect(StatusPublisher.wakes(on: ForumEvent(event: .answer, requestId: 7, date: Self.date)))
        #expect(StatusPublisher.wakes(on: ForumEvent(event: .failed, requestId: 7, date: Self.date)))
        // Nothing in the queue changed: reading it again for every plain post (a burst of them
        // included) would cost a pass each.
        #expect(!StatusPublisher.wakes(on: ForumEvent(event: .posted, requestIds: [], date: Self.date)))
    }
}
