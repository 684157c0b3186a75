import NIOCore
import Synchronization

/// The connections a server is serving: enforces the connection cap and reaches every session
/// on graceful shutdown. Shared by all connection tasks; a `Mutex` guards the state.
final class ConnectionRegistry: Sendable {
    /// Whether a new connection may be served.
    enum Admission: Hashable, Sendable {
        case admitted
        case tooManyConnections
        case shuttingDown
    }

    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var isShuttingDown = false
    }

    private let maximumConnections: Int
    private let state = Mutex(State())

    init(maximumConnections: Int) {
        self.maximumConnections = maximumConnections
    }

    /// Registers `channel` unless the cap is reached or the server is shutting down.
    func admit(_ channel: any Channel) -> Admission {
        self.state.withLock { state in
            if state.isShuttingDown {
                return .shuttingDown
            }
            guard state.channels.count < self.maximumConnections else {
                return .tooManyConnections
            }
            state.channels[ObjectIdentifier(channel)] = channel
            return .admitted
        }
    }

    /// Forgets `channel` when its session has ended.
    func remove(_ channel: any Channel) {
        self.state.withLock { state in
            _ = state.channels.removeValue(forKey: ObjectIdentifier(channel))
        }
    }

    /// Whether graceful shutdown has begun.
    var isShuttingDown: Bool {
        self.state.withLock { $0.isShuttingDown }
    }

    /// How many sessions are being served.
    var count: Int {
        self.state.withLock { $0.channels.count }
    }

    /// Marks the server as shutting down and tells every session (``LineShutdownEvent``).
    func beginShutdown() {
        let channels = self.state.withLock { state in
            state.isShuttingDown = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(LineShutdownEvent())
        }
    }
}
