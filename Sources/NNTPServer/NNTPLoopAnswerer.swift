import LineServer
import Logging
import NIOCore
import NNTPCore

/// Answers a reader's hot commands (`GROUP`, `ARTICLE`/`HEAD`/`BODY`/`STAT`) on the event loop
/// that read them, from what the backend holds in memory, while the session's task waits for a
/// command; every other line, and every command memory cannot answer, goes on to the task.
///
/// ## Why on the loop
///
/// A command that reaches the session's task costs a resumption of that task through
/// `NIOAsyncChannel`'s inbound stream, its writer, and a suspension: about 12 µs of CPU, and a
/// turn of the loop, on top of the answer itself. For a `GROUP` that is most of the server's
/// time, and it put FORLLM's latency above INN's, which forks a process per reader but then
/// answers from its own memory with no hand-over at all. `scripts/bench nntp` measures the two
/// shapes beside INN (the `reference` rows); the README gives the figures. The exception to
/// "handlers frame and encode only" is kept this narrow: no I/O, no waiting, no state of the
/// session's own beyond a loan.
///
/// ## The loan (``NNTPLoopLease``)
///
/// The session's state stays the task's (``NNTPSession``). When the task has carried out an
/// event and waits for a command, it *lends* the loop a copy of its ``NNTPSessionContext``
/// (the selected group, the current article, the login). A line the answerer can answer changes
/// that copy as the executor would; the task takes the copy back with the next event it
/// receives. The invariants, all on the channel's one event loop:
/// - **Order.** The answerer answers only while the context is lent *and* every event it passed
///   on has been received by the task, so every earlier response has been handed to the
///   channel (the task lends only after its writes returned). Once it passes a line on, it
///   answers nothing until the task has received that line, carried it out and lent again: a
///   pipelined burst is answered strictly in order.
/// - **One owner at a time.** The task's context is not used while lent: receiving an event
///   takes the loan back first (``NNTPLoopLease/receive()``), before the session sees it.
/// - **Same answers.** The answer is ``NNTPCommandExecutor/answerFromMemory(_:context:into:)``,
///   the executor's own code over the backend's memory (``NNTPBackend/groupInMemory(named:)``),
///   which must be what the `async` read would return. Anything else (a miss, a parse error, a
///   command needing a login not given, an over-long line) is passed on untouched.
/// - **Backpressure.** Nothing is answered while the channel is not writable: the line goes to
///   the task, whose writer waits.
/// - **Only on the loop.** The task lends only when it runs on the channel's event loop (the
///   server's ``EventLoopTaskExecutor``); elsewhere there is no loan, and every line goes on.
final class NNTPLoopAnswerer: ChannelInboundHandler {
    typealias InboundIn = LineConnectionEvent
    typealias InboundOut = LineConnectionEvent
    typealias OutboundOut = ByteBuffer

    /// Shared with the session's task; see the type's documentation.
    let lease: NIOLoopBoundBox<NNTPLoopLease>
    private let executor: NNTPCommandExecutor
    /// Answers written since the last flush; flushed at the end of the read.
    private var isFlushPending = false

    init(executor: NNTPCommandExecutor, eventLoop: any EventLoop) {
        self.executor = executor
        self.lease = NIOLoopBoundBox(NNTPLoopLease(), eventLoop: eventLoop)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .frame(.line(let line, let ending)) = Self.unwrapInboundIn(data), context.channel.isWritable,
            var lent = self.lease.value.available,
            let answer = self.answer(line, ending: ending, context: &lent)
        {
            self.lease.value.answered(context: lent.context)
            context.write(Self.wrapOutboundOut(answer), promise: nil)
            self.isFlushPending = true
            return
        }
        self.lease.value.passOn()
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if self.isFlushPending {
            self.isFlushPending = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// The response to `line`, or `nil` when the task must answer it.
    private func answer(_ line: ByteBuffer, ending: LineEnding, context lent: inout NNTPLoopLease.Lent) -> ByteBuffer? {
        guard NNTPSession.fitsCommandLineLimit(line, ending),
            let command = try? NNTPCommandParser.parseCommand(line),
            !NNTPSession.awaitsLogin(command, configuration: self.executor.configuration, context: lent.context)
        else { return nil }
        var response = ByteBuffer()
        guard self.executor.answerFromMemory(command, context: &lent.context, into: &response) else { return nil }
        lent.logger.debug("Command", metadata: ["nntp.command": "\(command.debugDescription)"])
        return response
    }
}

/// What a session's task and its ``NNTPLoopAnswerer`` share, on the channel's event loop: the
/// loan of the session's context and the count of events handed over (see
/// ``NNTPLoopAnswerer``).
struct NNTPLoopLease {
    /// The context lent, and the connection's logger for the commands answered with it.
    struct Lent {
        var context: NNTPSessionContext
        var logger: Logger
    }

    private var lent: Lent?
    /// Events the answerer passed on to the task.
    private var passedOn: UInt64 = 0
    /// Events the task received.
    private var received: UInt64 = 0

    /// The context to answer with: lent, and the task holds no event it has not carried out.
    var available: Lent? {
        self.passedOn == self.received ? self.lent : nil
    }

    /// The answerer answered a command with ``available``, which changed its context so.
    mutating func answered(context: NNTPSessionContext) {
        self.lent?.context = context
    }

    /// The answerer passed an event on to the task.
    mutating func passOn() {
        self.passedOn &+= 1
    }

    /// The task waits for a command with `context`, every response so far handed to the channel.
    mutating func lend(_ context: NNTPSessionContext, logger: Logger) {
        self.lent = Lent(context: context, logger: logger)
    }

    /// The task received an event: the loan ends; returns the context as the loop left it, or
    /// `nil` when none was lent.
    mutating func receive() -> NNTPSessionContext? {
        self.received &+= 1
        defer { self.lent = nil }
        return self.lent?.context
    }

    /// The task ends (or cannot lend): nothing more is answered on the loop.
    mutating func withdraw() {
        self.lent = nil
    }
}
