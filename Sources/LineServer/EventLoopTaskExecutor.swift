import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop, so that a connection's task can run
/// on the thread that does its socket I/O (SE-0417 task executor preference).
///
/// ```swift
/// try await withTaskExecutorPreference(EventLoopTaskExecutor(channel.eventLoop)) {
///     try await session.run(connection)     // reads and writes without a thread hop
/// }
/// ```
///
/// A connection task left to the global executor (the cooperative pool; in `forllm serve`, any
/// of NIO's loops) can cross threads twice per command: the loop resumes the task on another
/// thread when a line arrives, and the task's write is handed back to the loop. With this
/// preference both happen on the loop thread: `NIOAsyncChannel` writes
/// straight through when called on its loop, and a line that arrives resumes the task as a
/// job queued on that same loop.
///
/// The rule that comes with it is the house rule for all async code: nothing may block. Awaiting
/// is fine (a GRDB read suspends the task and frees the loop).
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    /// Creates an executor for `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
