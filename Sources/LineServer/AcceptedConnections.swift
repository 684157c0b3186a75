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
/// initializer until the loop takes it; after the loop, ``close()`` refuses new ones and hands
/// back the strays, which ``closeStrays()`` closes properly.
///
/// Any server on `NIOAsyncChannel` needs it: ``LineListener`` and the test suite's HTTP stubs.
/// The child initializer calls ``add(_:)`` and, when it returns `false`, closes the channel and
/// throws (NIO neither registers nor closes a child whose initializer failed); the accept loop
/// calls ``take(_:)`` for each connection; after the loop, ``closeStrays()``.
public final class AcceptedConnections<Inbound: Sendable, Outbound: Sendable>: Sendable {
    public typealias Connection = NIOAsyncChannel<Inbound, Outbound>

    private struct State {
        var waiting: [ObjectIdentifier: Connection] = [:]
        var isClosed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// A connection's channel was made (in the child initializer); `false` once the listener
    /// has stopped, and the connection is then not to be made.
    public func add(_ connection: Connection) -> Bool {
        self.state.withLock { state in
            guard !state.isClosed else { return false }
            state.waiting[ObjectIdentifier(connection.channel)] = connection
            return true
        }
    }

    /// The accept loop took `connection`; from now on its handler closes it.
    public func take(_ connection: Connection) {
        _ = self.state.withLock { $0.waiting.removeValue(forKey: ObjectIdentifier(connection.channel)) }
    }

    /// The accept loop has ended: no connection is taken from now on. Returns those made but
    /// never taken.
    public func close() -> [Connection] {
        self.state.withLock { state in
            state.isClosed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
    }

    /// ``close()``, then closes each connection made but never taken, finishing its writer.
    public func closeStrays() async {
        for stray in self.close() {
            try? await stray.executeThenClose { _, _ in }
        }
    }
}
