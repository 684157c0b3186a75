/// `body` did not come up with a value in time.
public struct TestTimeout: Error, CustomStringConvertible {
    public var what: String
    public var description: String { "timed out waiting for \(self.what)" }
}

/// The value `body` returns, if it returns one within `timeout`; otherwise (or when `body`
/// returns `nil`) throws ``TestTimeout``. `body` is cancelled when the time is up, so it should
/// await events (an observation, a stream) rather than poll.
public func withTimeout<T: Sendable>(
    _ timeout: Duration,
    waitingFor what: String,
    _ body: @escaping @Sendable () async throws -> T?
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestTimeout(what: what)
        }
        return value
    }
}
