import NIOCore
import NIOSSL
import NIOTLS

/// What a connection loop receives: a line from the client or a notice from the server.
public enum LineConnectionEvent: Hashable, Sendable {
    /// A line (or an over-long line) from the client.
    case frame(LineFrame)
    /// Nothing was read or written for the configured idle timeout.
    case idleTimeout
    /// The server is shutting down gracefully.
    case shutdown
    /// The TLS handshake completed (implicit TLS or after `STARTTLS`): every frame after this
    /// one came through TLS, every frame before it did not.
    case tlsEstablished(LineTLSInfo)
}

/// The user event that asks a connection to finish what it is doing and close (NNTP's
/// `400 server shutting down`, SMTP's `421`).
public struct LineShutdownEvent: Hashable, Sendable {
    public init() {}
}

/// Turns decoded lines and the out-of-band events (idle timeout, graceful shutdown, the end of
/// a TLS handshake) into one ordered stream of ``LineConnectionEvent``s, so the connection loop
/// waits on one thing only.
final class ConnectionEventHandler: ChannelInboundHandler {
    typealias InboundIn = LineFrame
    typealias InboundOut = LineConnectionEvent

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(Self.wrapInboundOut(.frame(Self.unwrapInboundIn(data))))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is LineIdleEvent:
            self.fireSynthesised(.idleTimeout, context: context)
        case is LineShutdownEvent:
            self.fireSynthesised(.shutdown, context: context)
        case let tlsEvent as TLSUserEvent:
            if case .handshakeCompleted = tlsEvent {
                let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
                let info = LineTLSInfo(protocolVersion: LineTLSInfo.name(of: handler?.tlsVersion))
                self.fireSynthesised(.tlsEstablished(info), context: context)
            }
            context.fireUserInboundEventTriggered(event)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func fireSynthesised(_ event: LineConnectionEvent, context: ChannelHandlerContext) {
        context.fireChannelRead(Self.wrapInboundOut(event))
        // NIOAsyncChannel hands buffered reads to the consumer on read-complete.
        context.fireChannelReadComplete()
    }
}
