import Synchronization

/// Hands ``ForumEvent``s to whoever listens in this process (the hook runner, the status
/// publisher). Emitting never waits: a subscriber that does not keep up loses the oldest
/// events beyond its buffer.
public final class ForumEventBus: Sendable {
    private struct State {
        var subscribers: [Int: AsyncStream<ForumEvent>.Continuation] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// A stream of the events emitted from now on, until the task iterating it is cancelled.
    public func subscribe(buffer: Int = 1024) -> AsyncStream<ForumEvent> {
        let (stream, continuation) = AsyncStream<ForumEvent>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let id = self.state.withLock { state in
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Gives `event` to every subscriber.
    public func emit(_ event: ForumEvent) {
        let subscribers = self.state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(event) }
    }
}
