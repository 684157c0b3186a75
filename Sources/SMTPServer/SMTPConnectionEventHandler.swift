import NIOCore

/// What the connection loop receives: a line from the client or a notice from the server.
public enum SMTPConnectionEvent: Hashable, Sendable {
    /// A line (or an over-long line) from the client.
    case frame(SMTPLineFrame)
    /// Nothing was read or written for the configured idle timeout.
    case idleTimeout
    /// The server is shutting down gracefully.
    case shutdown
}

/// The user event that asks a connection to finish what it is doing and close (`421`).
public struct SMTPShutdownEvent: Hashable, Sendable {
    public init() {}
}

/// Turns decoded lines and the out-of-band events (idle timeout, graceful shutdown) into one
/// ordered stream of ``SMTPConnectionEvent``s, so the connection loop waits on one thing only.
final class SMTPConnectionEventHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPLineFrame
    typealias InboundOut = SMTPConnectionEvent

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(Self.wrapInboundOut(.frame(Self.unwrapInboundIn(data))))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is SMTPIdleEvent:
            self.fireSynthesised(.idleTimeout, context: context)
        case is SMTPShutdownEvent:
            self.fireSynthesised(.shutdown, context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func fireSynthesised(_ event: SMTPConnectionEvent, context: ChannelHandlerContext) {
        context.fireChannelRead(Self.wrapInboundOut(event))
        // NIOAsyncChannel hands buffered reads to the consumer on read-complete.
        context.fireChannelReadComplete()
    }
}
