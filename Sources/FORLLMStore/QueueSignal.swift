import Synchronization

/// Wakes the worker when requests were queued in this process, so that an answer to an
/// article posted over NNTP starts at once instead of at the next poll. Requests queued by
/// another process (the CLI) are found by polling.
public final class QueueSignal: Sendable {
    private struct State {
        var pending = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every waiter, or the next one to wait if none is waiting.
    public func notify() {
        let waiters = self.state.withLock { state in
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            state.pending = waiters.isEmpty
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Forgets a notification no waiter has taken yet: for a waiter about to do the work that
    /// every notification so far asked for (what was notified before is committed).
    public func discardPending() {
        self.state.withLock { $0.pending = false }
    }

    /// Whether a notification came that no waiter has taken, forgetting it: for a waiter that
    /// was not waiting (it was gathering) and asks whether more work came meanwhile.
    public func takePending() -> Bool {
        self.state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    /// Returns after ``notify()`` or when `sleep` returns, whichever comes first, or at once
    /// when a notification is pending. Cancellation ends the wait too.
    public func wait(orUntil sleep: @escaping @Sendable () async -> Void) async {
        let consumed = self.state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
        if consumed { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await sleep()
            }
            group.addTask {
                await self.waitForNotification()
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private func waitForNotification() async {
        let id = self.state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    if Task.isCancelled { return true }
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
