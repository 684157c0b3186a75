import NIOCore

/// The user event that says a connection has been idle for the configured time.
public struct LineIdleEvent: Hashable, Sendable {
    public init() {}
}

/// Fires ``LineIdleEvent`` once when nothing was read and no write was pending or completed for
/// `timeout`.
///
/// It sits at the head of the pipeline, so every byte counts as activity (a client typing one
/// byte a second is not idle), and a response still being written to a slow reader keeps the
/// connection alive. Unlike NIO's `IdleStateHandler`, it reads the time from the event loop
/// (`EventLoop.now`), so tests on `NIOAsyncTestingChannel` can advance it.
///
/// ## Writes cost nothing extra
///
/// A write only stamps the time. Whether a response is still on its way is asked when the timer
/// fires, from the channel's own count of bytes not yet handed to the kernel
/// (`ChannelOptions.bufferedWritableBytes`): while any are left, the connection counts as active
/// at that moment and the timer looks again after ``drainCheckInterval`` at the latest, so the
/// idle time after a slow reader's last byte is at least `timeout` less that interval. Earlier
/// versions waited on a promise per write to learn when it completed; on a short command that
/// promise (an allocation and a callback) was a measurable share of the server's time per
/// command.
final class IdleTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How often the timer looks again while a response is still being written.
    static let drainCheckInterval = TimeAmount.seconds(1)

    private let timeout: TimeAmount
    private var lastActivity: NIODeadline = .uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?
    private var hasFired = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.start(context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.lastActivity = context.eventLoop.now
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.lastActivity = context.eventLoop.now
        context.write(data, promise: promise)
    }

    private func start(context: ChannelHandlerContext) {
        guard self.timer == nil, !self.hasFired else {
            return
        }
        self.lastActivity = context.eventLoop.now
        self.schedule(at: self.lastActivity + self.timeout, context: context)
    }

    private func stop() {
        self.timer?.cancel()
        self.timer = nil
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.check(context: context)
        }
    }

    private func check(context: ChannelHandlerContext) {
        self.timer = nil
        let now = context.eventLoop.now
        if Self.bufferedBytes(of: context.channel) > 0 {
            self.lastActivity = now
            self.schedule(at: now + min(self.timeout, Self.drainCheckInterval), context: context)
            return
        }
        let due = self.lastActivity + self.timeout
        if now < due {
            self.schedule(at: due, context: context)
            return
        }
        self.hasFired = true
        context.fireUserInboundEventTriggered(LineIdleEvent())
    }

    /// Bytes written but not yet taken by the kernel; 0 when the channel cannot say.
    private static func bufferedBytes(of channel: any Channel) -> Int {
        (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }
}
