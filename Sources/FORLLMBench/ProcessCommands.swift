import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// `launch`: starts a server, times it until it greets, then waits for it to exit.
struct LaunchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Start a server process and time it from exec until it sends its greeting.",
        discussion: """
            Prints pid= and startup_ms= as soon as the server greeted, then stays until the server
            exits (so that it is reaped): run it in the background and stop the server by its pid.
            Example: forllm-bench launch --port 1119 --log serve.log -- .build/release/forllm serve ...
            """
    )
    @Option(help: "Host the server listens on.") var host = "127.0.0.1"
    @Option(help: "Port the server listens on.") var port: Int
    @Option(help: "File for the server's stdout and stderr.") var log: String
    @Option(help: "Seconds to wait for the greeting.") var timeout = 30.0
    @Argument(parsing: .captureForPassthrough, help: "The server's command line (after --).") var command: [String]

    func run() throws {
        var command = self.command
        if command.first == "--" { command.removeFirst() }
        guard let executable = command.first else { throw ValidationError("no command to launch") }
        _ = FileManager.default.createFile(atPath: self.log, contents: nil)
        guard let output = FileHandle(forWritingAtPath: self.log) else { throw BenchError("cannot write \(self.log)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice

        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        let deadline = start + .milliseconds(Int(self.timeout * 1000))
        var greeting: String?
        while greeting == nil {
            switch BlockingSocket.probe(host: self.host, port: self.port) {
            case .greeting(let line):
                greeting = line
            case .refused:
                guard process.isRunning else {
                    throw BenchError(
                        "the server exited with status \(process.terminationStatus) before it listened; see \(self.log)"
                    )
                }
                guard clock.now < deadline else {
                    process.terminate()
                    throw BenchError(
                        "no greeting on \(self.host):\(self.port) within \(self.timeout) s; see \(self.log)"
                    )
                }
                usleep(250)
            }
        }
        let elapsed = clock.now - start
        Measurements.report("pid", Int(process.processIdentifier))
        Measurements.report("startup_ms", Measurements.micros(elapsed) / 1000, digits: 1)
        Measurements.report("greeting", greeting ?? "")
        process.waitUntilExit()
        Measurements.note("server \(process.processIdentifier) exited with status \(process.terminationStatus)")
    }
}

/// `memory`: the resident memory of a process (tree).
struct MemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Print rss_kb=, pss_kb= and processes= of the given processes (with --tree: and their descendants)."
    )
    @Option(help: "Process id (repeatable).") var pid: [Int32]
    @Flag(help: "Include every descendant process (INN: innd and its nnrpd children).") var tree = false

    func run() throws {
        let usage = ProcessMemory.usage(of: self.pid, tree: self.tree)
        Measurements.report("rss_kb", usage.rssKB)
        Measurements.report("pss_kb", usage.pssKB)
        Measurements.report("processes", usage.processes)
    }
}

/// `free-port`: a port to give a server.
struct FreePortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "free-port",
        abstract: "Print a free TCP port on 127.0.0.1."
    )

    func run() throws {
        print(try BlockingSocket.freePort())
    }
}

/// `idle`: many connections held open after their greeting, and what they cost the server.
struct IdleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Open N connections, read each greeting, hold them; prints the server's memory before and after.",
        discussion: "Greetings other than 200/201 (e.g. 400 too many connections) are counted as refused."
    )
    @OptionGroup var server: ServerOptions
    @Option(help: "Connections to open.") var count = 1000
    @OptionGroup var processes: ServerProcessOptions
    @Option(help: "Connection attempts in flight at once.") var concurrency = 64
    @Option(help: "Seconds to wait after the last greeting before measuring.") var settle = 2.0

    private final class GreetingHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        private var line = ByteBuffer()
        private var promise: EventLoopPromise<String>?

        init(promise: EventLoopPromise<String>) {
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard self.promise != nil else { return }
            var bytes = Self.unwrapInboundIn(data)
            self.line.writeBuffer(&bytes)
            if let newline = self.line.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let text = self.line.getString(at: self.line.readerIndex, length: newline - self.line.readerIndex) ?? ""
                self.promise?.succeed(text.trimmingCharacters(in: .whitespacesAndNewlines))
                self.promise = nil
                self.line = ByteBuffer()
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.promise?.succeed("closed before the greeting")
            self.promise = nil
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            self.promise?.fail(error)
            self.promise = nil
            context.close(promise: nil)
        }
    }

    private enum Outcome: Sendable {
        case open(any Channel)
        case refused(String)
        case failed(String)
    }

    /// Connects once and reads the greeting.
    private static func attempt(_ endpoint: NNTPEndpoint) async -> Outcome {
        do {
            let (channel, greeting) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(30))
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let promise = channel.eventLoop.makePromise(of: String.self)
                        try channel.pipeline.syncOperations.addHandler(GreetingHandler(promise: promise))
                        return (channel, promise.futureResult)
                    }
                }
            let line = try await greeting.get()
            if line.hasPrefix("200") || line.hasPrefix("201") { return .open(channel) }
            channel.close(promise: nil)
            return .refused(line)
        } catch {
            return .failed("\(error)")
        }
    }

    func run() async throws {
        ProcessMemory.raiseFileLimit()
        let before = ProcessMemory.usage(of: self.processes.pid, tree: self.processes.tree)
        let clientBefore = ProcessMemory.usage(of: [getpid()], tree: false)
        let endpoint = self.server.endpoint
        let start = ContinuousClock.now
        let outcomes = await withTaskGroup(of: Outcome.self) { tasks in
            var started = 0
            while started < min(self.concurrency, self.count) {
                tasks.addTask { await Self.attempt(endpoint) }
                started += 1
            }
            var outcomes: [Outcome] = []
            for await outcome in tasks {
                outcomes.append(outcome)
                if started < self.count {
                    tasks.addTask { await Self.attempt(endpoint) }
                    started += 1
                }
            }
            return outcomes
        }
        let openingSeconds = Measurements.seconds(ContinuousClock.now - start)
        var channels: [any Channel] = []
        var refused: [String] = []
        var failed: [String] = []
        for outcome in outcomes {
            switch outcome {
            case .open(let channel): channels.append(channel)
            case .refused(let line): refused.append(line)
            case .failed(let error): failed.append(error)
            }
        }
        try await Task.sleep(for: .milliseconds(Int(self.settle * 1000)))
        let after = ProcessMemory.usage(of: self.processes.pid, tree: self.processes.tree)
        let clientAfter = ProcessMemory.usage(of: [getpid()], tree: false)
        let stillOpen = channels.filter(\.isActive).count

        Measurements.report("opened", channels.count)
        Measurements.report("still_open", stillOpen)
        Measurements.report("refused", refused.count)
        Measurements.report("failed", failed.count)
        Measurements.report("open_seconds", openingSeconds, digits: 2)
        Measurements.report("rss_before_kb", before.rssKB)
        Measurements.report("rss_after_kb", after.rssKB)
        Measurements.report("pss_before_kb", before.pssKB)
        Measurements.report("pss_after_kb", after.pssKB)
        Measurements.report("processes", after.processes)
        let perConnection = channels.isEmpty ? 0 : Double(after.rssKB - before.rssKB) / Double(channels.count)
        Measurements.report("rss_per_conn_kb", perConnection, digits: 1)
        let pssPerConnection = channels.isEmpty ? 0 : Double(after.pssKB - before.pssKB) / Double(channels.count)
        Measurements.report("pss_per_conn_kb", pssPerConnection, digits: 1)
        // The bench's side of the same connections: a bare NIO socket channel with one small
        // handler, for comparison with what the server keeps per connection.
        let clientPerConnection =
            channels.isEmpty ? 0 : Double(clientAfter.rssKB - clientBefore.rssKB) / Double(channels.count)
        Measurements.report("client_rss_per_conn_kb", clientPerConnection, digits: 1)
        if let first = refused.first { Measurements.note("\(refused.count) refused, first: \(first)") }
        if let first = failed.first { Measurements.note("\(failed.count) failed, first: \(first)") }

        for channel in channels { channel.close(promise: nil) }
        for channel in channels { try? await channel.closeFuture.get() }
    }
}
