import Logging
import NIOCore
import ServiceLifecycle

/// The service did not report a listening address.
public struct ServiceDidNotStart: Error, CustomStringConvertible {
    public var description: String { "the server did not start" }
}

/// Runs the service `makeService` builds inside a `ServiceGroup` for the duration of `body`,
/// then shuts it down gracefully and waits for its `run()` to return. `makeService` gets the
/// `onListening` callback to hand the service; `body` gets the port it reported and the group.
/// When `body` throws, the service is cancelled instead.
public func withRunningService<Result: Sendable>(
    logger: Logger,
    makeService: (_ onListening: @escaping @Sendable (SocketAddress) async -> Void) -> some Service,
    body: (_ port: Int, _ group: ServiceGroup) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let service = makeService { address in
        continuation.yield(address.port ?? 0)
        continuation.finish()
    }
    let group = ServiceGroup(services: [service], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw ServiceDidNotStart()
        }
        do {
            let result = try await body(port, group)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            tasks.cancelAll()
            throw error
        }
    }
}
