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
final class IdleTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var lastActivity: NIODeadline = .uptimeNanoseconds(0)
    private var pendingWrites = 0
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
        self.pendingWrites += 1
        let promise = promise ?? context.eventLoop.makePromise()
        let loop = context.eventLoop
        promise.futureResult.hop(to: loop).assumeIsolated().whenComplete { _ in
            self.pendingWrites -= 1
            self.lastActivity = loop.now
        }
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
        let due = self.lastActivity + self.timeout
        if self.pendingWrites > 0 || context.eventLoop.now < due {
            self.schedule(at: self.pendingWrites > 0 ? context.eventLoop.now + self.timeout : due, context: context)
            return
        }
        self.hasFired = true
        context.fireUserInboundEventTriggered(LineIdleEvent())
    }
}
