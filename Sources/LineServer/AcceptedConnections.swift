import NIOCore
import Synchronization

/// The async channels made for accepted connections that the accept loop has not taken yet, so
/// that none is dropped unclosed when the listener stops.
///
/// NIO hands each accepted connection's `NIOAsyncChannel` to the accept loop through the server
/// channel's stream. A connection accepted just as the listener stops (graceful shutdown closes
/// the server channel, cancellation ends the loop) can be made but never delivered: the stream
/// drops it, and when the connection then becomes active its writer is released unfinished,
/// which NIO treats as a programmer error and traps ("Deinited NIOAsyncWriter without calling
/// finish()", swift-nio issue 2637). This keeps a reference to every channel from the
/// initializer until the loop takes it; when the loop has ended, it refuses new ones and closes
/// the strays properly.
///
/// Any server on `NIOAsyncChannel` needs it: ``LineListener`` and the test suite's HTTP stubs.
/// The child initializer returns ``admit(_:)``'s connection; the accept loop runs inside
/// ``accepting(_:)`` and calls ``take(_:)`` for each connection.
public final class AcceptedConnections<Inbound: Sendable, Outbound: Sendable>: Sendable {
    public typealias Connection = NIOAsyncChannel<Inbound, Outbound>

    private struct State {
        var waiting: [ObjectIdentifier: Connection] = [:]
        var isClosed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// For the child initializer: `connection`'s channel was made; returns it to be delivered.
    /// Once the loop has ended it closes the channel instead and throws: NIO neither registers
    /// nor closes a child whose initializer failed, and closing it finishes its writer (it never
    /// became active).
    public func admit(_ connection: Connection) throws -> Connection {
        let admitted = self.state.withLock { state in
            guard !state.isClosed else { return false }
            state.waiting[ObjectIdentifier(connection.channel)] = connection
            return true
        }
        guard admitted else {
            connection.channel.close(promise: nil)
            throw LineServerError(message: "the listener has stopped")
        }
        return connection
    }

    /// The accept loop took `connection`; from now on its handler closes it.
    public func take(_ connection: Connection) {
        _ = self.state.withLock { $0.waiting.removeValue(forKey: ObjectIdentifier(connection.channel)) }
    }

    /// Runs the accept loop `body`; however it ends, then refuses new connections and closes
    /// each one made but never taken.
    public func accepting<T>(_ body: () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        let strays = self.state.withLock { state in
            state.isClosed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for stray in strays {
            try? await stray.executeThenClose { _, _ in }
        }
        return try result.get()
    }
}
