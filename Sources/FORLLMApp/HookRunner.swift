import FORLLMForum
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the `hooks:` commands on the forum's events (``ForumEvent``), off the worker's path.
///
/// Emitting an event never waits for a hook: the runner takes events from the forum's
/// ``ForumEventBus`` and runs at most ``concurrency`` commands at once, each on a thread of its
/// own (a command blocks: waiting for it must never hold an event loop). At most
/// ``queueLimit`` more wait; beyond that an event's hook is dropped with a log line. A command
/// that cannot be started, fails or runs past its time limit (then it is killed) is logged,
/// nothing else.
public final class HookRunner: Service {
    /// What became of one run, for logs and tests.
    public struct Outcome: Hashable, Sendable {
        public enum Result: Hashable, Sendable {
            case exited(Int32)
            case killed
            case timedOut
            case notStarted(String)
            case dropped
        }

        public var hook: HookConfiguration
        public var event: ForumEvent
        public var result: Result
        /// The first bytes of its output.
        public var stdout: String
        public var stderr: String
    }

    private struct Job: Sendable {
        var hook: HookConfiguration
        var event: ForumEvent
    }

    private struct State {
        var queue: [Job] = []
        var running = 0
        var watchers: [Int: AsyncStream<Outcome>.Continuation] = [:]
        var nextWatcher = 0
    }

    let hooks: [HookConfiguration]
    let events: ForumEventBus
    let logger: Logger
    /// Commands running at once.
    public let concurrency: Int
    /// Commands waiting beyond those.
    public let queueLimit: Int
    /// The most of each of stdout and stderr that is kept for the log.
    public static let outputLimit = 2048
    private let state = Mutex(State())
    private let onOutcome: @Sendable (Outcome) -> Void

    /// `nil` when no hook is configured.
    public init?(
        _ hooks: [HookConfiguration],
        events: ForumEventBus,
        logger: Logger,
        concurrency: Int = 2,
        queueLimit: Int = 64,
        onOutcome: @escaping @Sendable (Outcome) -> Void = { _ in }
    ) {
        guard !hooks.isEmpty else { return nil }
        self.hooks = hooks
        self.events = events
        self.logger = logger
        self.concurrency = max(concurrency, 1)
        self.queueLimit = max(queueLimit, 0)
        self.onOutcome = onOutcome
    }

    public func run() async throws {
        let events = self.events.subscribe()
        self.logger.info("Hooks ready", metadata: ["hooks": "\(self.hooks.map(\.summary))"])
        await cancelWhenGracefulShutdown {
            for await event in events {
                self.handle(event)
            }
        }
    }

    /// The outcomes of the runs from now on, as they end (for tests and tools).
    public func outcomes() -> AsyncStream<Outcome> {
        let (stream, continuation) = AsyncStream<Outcome>.makeStream()
        let id = self.state.withLock { state in
            defer { state.nextWatcher += 1 }
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    private func report(_ outcome: Outcome) {
        self.onOutcome(outcome)
        for watcher in self.state.withLock({ Array($0.watchers.values) }) { watcher.yield(outcome) }
    }

    /// Queues the hooks of `event` (or drops them when the queue is full); never waits.
    public func handle(_ event: ForumEvent) {
        for hook in self.hooks where hook.on == event.event {
            let job = Job(hook: hook, event: event)
            let admitted = self.state.withLock { state -> Admission in
                if state.running < self.concurrency {
                    state.running += 1
                    return .start
                }
                guard state.queue.count < self.queueLimit else { return .drop }
                state.queue.append(job)
                return .queued
            }
            switch admitted {
            case .start:
                self.startThread(job)
            case .queued:
                break
            case .drop:
                self.logger.warning(
                    "Hook dropped: too many waiting",
                    metadata: ["hook": "\(hook.summary)", "hook.waiting": "\(self.queueLimit)"]
                )
                self.report(Outcome(hook: hook, event: event, result: .dropped, stdout: "", stderr: ""))
            }
        }
    }

    private enum Admission {
        case start
        case queued
        case drop
    }

    /// Runs `job`, then the queued ones, on one thread until the queue is empty.
    private func startThread(_ job: Job) {
        let thread = Thread {
            var next: Job? = job
            while let job = next {
                let outcome = Self.execute(job.hook, job.event)
                self.log(outcome)
                self.report(outcome)
                next = self.state.withLock { state in
                    guard !state.queue.isEmpty else {
                        state.running -= 1
                        return nil
                    }
                    return state.queue.removeFirst()
                }
            }
        }
        thread.name = "forllm-hook"
        thread.start()
    }

    private func log(_ outcome: Outcome) {
        var metadata: Logger.Metadata = [
            "hook": "\(outcome.hook.summary)",
            "hook.event": "\(outcome.event.event.rawValue)"
        ]
        if let request = outcome.event.requestId { metadata["hook.request"] = "\(request)" }
        if !outcome.stdout.isEmpty { metadata["hook.stdout"] = "\(outcome.stdout)" }
        if !outcome.stderr.isEmpty { metadata["hook.stderr"] = "\(outcome.stderr)" }
        switch outcome.result {
        case .exited(0):
            self.logger.info("Hook ran", metadata: metadata)
        case .exited(let status):
            metadata["hook.status"] = "\(status)"
            self.logger.warning("Hook failed", metadata: metadata)
        case .killed:
            self.logger.warning("Hook killed by a signal", metadata: metadata)
        case .timedOut:
            metadata["hook.timeout"] = "\(outcome.hook.timeout)"
            self.logger.warning("Hook ran past its time limit and was killed", metadata: metadata)
        case .notStarted(let reason):
            metadata["hook.error"] = "\(reason)"
            self.logger.warning("Hook could not be started", metadata: metadata)
        case .dropped:
            break
        }
    }

    /// Runs one command with the event on stdin, blocking the calling thread (never an event
    /// loop's) until it exits or its time is up.
    static func execute(_ hook: HookConfiguration, _ event: ForumEvent) -> Outcome {
        func outcome(_ result: Outcome.Result, _ stdout: String = "", _ stderr: String = "") -> Outcome {
            Outcome(hook: hook, event: event, result: result, stdout: stdout, stderr: stderr)
        }
        guard let program = hook.run.first, let executable = Self.resolve(program) else {
            return outcome(.notStarted("no such program: \(hook.run.first ?? "(empty)")"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(hook.run.dropFirst())
        let input = Pipe()
        let output = OutputCollector()
        let errors = OutputCollector()
        process.standardInput = input
        process.standardOutput = output.pipe
        process.standardError = errors.pipe
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return outcome(.notStarted("\(program): \(error.localizedDescription)"))
        }
        // The event is small; a hook that does not read it gets EPIPE, ignored (SIGPIPE is).
        let json = (try? event.json()) ?? Data("{}".utf8)
        try? input.fileHandleForWriting.write(contentsOf: json + Data("\n".utf8))
        try? input.fileHandleForWriting.close()
        let seconds = Double(hook.timeout.components.seconds) + Double(hook.timeout.components.attoseconds) / 1e18
        var timedOut = false
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            timedOut = true
            process.terminate()
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
        }
        let stdout = output.finish()
        let stderr = errors.finish()
        if timedOut { return outcome(.timedOut, stdout, stderr) }
        switch process.terminationReason {
        case .exit: return outcome(.exited(process.terminationStatus), stdout, stderr)
        case .uncaughtSignal: return outcome(.killed, stdout, stderr)
        @unknown default: return outcome(.killed, stdout, stderr)
        }
    }

    /// `program` as a path: as it is when it contains a `/`, else looked up in `PATH`.
    static func resolve(_ program: String) -> String? {
        if program.contains("/") {
            return FileManager.default.isExecutableFile(atPath: program) ? program : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Collects the first ``HookRunner/outputLimit`` bytes of a pipe as they come, without waiting
/// for its end (a child the hook left behind may hold it open).
// @unchecked Sendable: the pipe is set up in `init` and closed in `finish()` by the one thread
// that runs the hook; the bytes, which the pipe's handler appends from Foundation's thread, are
// behind the Mutex.
private final class OutputCollector: @unchecked Sendable {
    let pipe = Pipe()
    private let data = Mutex((bytes: Data(), truncated: false))

    init() {
        // A cycle (the handle keeps the handler, the handler self) until `finish()` breaks it.
        self.pipe.fileHandleForReading.readabilityHandler = { handle in
            self.append(handle.availableData)
        }
    }

    private func append(_ chunk: Data) {
        self.data.withLock { data in
            let room = HookRunner.outputLimit - data.bytes.count
            if chunk.count > room { data.truncated = true }
            if room > 0 { data.bytes.append(chunk.prefix(room)) }
        }
    }

    /// What came so far, as text (`…` when cut); stops collecting.
    func finish() -> String {
        let handle = self.pipe.fileHandleForReading
        handle.readabilityHandler = nil
        // What the process wrote just before it exited and the handler has not taken yet.
        self.append((try? Self.readAvailable(handle)) ?? Data())
        try? handle.close()
        return self.data.withLock { data in
            let text = String(decoding: data.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return data.truncated ? text + "…" : text
        }
    }

    /// Reads what is in the pipe now without blocking.
    private static func readAvailable(_ handle: FileHandle) throws -> Data {
        let descriptor = handle.fileDescriptor
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        var result = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while result.count < HookRunner.outputLimit {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }
}
