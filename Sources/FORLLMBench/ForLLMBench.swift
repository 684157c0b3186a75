import ArgumentParser
import Synchronization

/// `forllm-bench`: a load generator for NNTP servers (FORLLM and, for comparison, INN), driven
/// by scripts/bench. Each subcommand measures one thing against a running server and prints its
/// figures as `key=value` lines on stdout; progress goes to stderr.
struct ForLLMBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forllm-bench",
        abstract:
            "Measure an NNTP server: POST, OVER and ARTICLE rates, latencies, idle connections, the LLM worker and client.",
        discussion: "Usually run by scripts/bench, which starts the servers and prints the table.",
        subcommands: [
            PostCommand.self, OverCommand.self, ArticleCommand.self, LatencyCommand.self, IdleCommand.self,
            LaunchCommand.self, MemoryCommand.self, FreePortCommand.self, WorkerCommand.self,
            StreamCommand.self, SMTPBenchCommand.self, MboxCommand.self, SearchCommand.self,
            ReferenceServerCommand.self
        ]
    )
}

/// The server to measure.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port: Int

    var endpoint: NNTPEndpoint { NNTPEndpoint(host: self.host, port: self.port) }
}

/// An article number range, `LOW-HIGH`.
struct ArticleRange: ExpressibleByArgument, Sendable {
    var low: Int
    var high: Int

    init?(argument: String) {
        let parts = argument.split(separator: "-")
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high else { return nil }
        self.low = low
        self.high = high
    }

    init(low: Int, high: Int) {
        self.low = low
        self.high = high
    }

    var count: Int { self.high - self.low + 1 }
}

extension ServerOptions {
    /// `range`, or else the group's whole range from GROUP.
    func resolve(_ range: ArticleRange?, group: String) async throws -> ArticleRange {
        if let range { return range }
        let numbers = try await NNTPBenchConnection.with(self.endpoint) { connection in
            try await connection.group(group)
        }
        guard numbers.count > 0 else { throw BenchError("group \(group) is empty") }
        return ArticleRange(low: numbers.low, high: numbers.high)
    }
}

/// The server's processes, for its CPU time and memory.
struct ServerProcessOptions: ParsableArguments {
    @Option(help: "Server process id whose CPU time and memory are measured (repeatable).") var pid: [Int32] = []
    @Flag(help: "Include the server's descendant processes (INN: innd's nnrpd children).") var tree = false

    /// Server CPU seconds so far (0 without --pid).
    func cpuSeconds() -> Double {
        self.pid.isEmpty ? 0 : ProcessCPU.seconds(of: self.pid, tree: self.tree)
    }

    /// Bytes the server has written to storage so far (`nil` without --pid, or unreadable).
    func writtenBytes() -> Int? {
        self.pid.isEmpty ? nil : ProcessIO.writtenBytes(of: self.pid, tree: self.tree)
    }
}

/// CPU time used by the server and by the bench, and what the server wrote to storage, between
/// two instants.
struct CPUMeter: Sendable {
    var server: Double
    var client: Double
    /// The server's `write_bytes` (``ProcessIO``), when readable.
    var written: Int?

    static func sample(_ processes: ServerProcessOptions) -> CPUMeter {
        CPUMeter(server: processes.cpuSeconds(), client: ProcessCPU.ownSeconds(), written: processes.writtenBytes())
    }

    /// Reports server_cpu_s, server_cpu_us_per_op (when `operations` > 0), client_cpu_s, and
    /// server_written_kb_per_op (storage written per operation, when both samples have it).
    func report(until end: CPUMeter, operations: Int, processes: ServerProcessOptions) {
        guard !processes.pid.isEmpty else { return }
        let server = end.server - self.server
        Measurements.report("server_cpu_s", server, digits: 2)
        if operations > 0 { Measurements.report("server_cpu_us_per_op", server * 1e6 / Double(operations), digits: 1) }
        Measurements.report("client_cpu_s", end.client - self.client, digits: 2)
        if operations > 0, let first = self.written, let last = end.written {
            Measurements.report("server_written_kb_per_op", Double(last - first) / 1024 / Double(operations), digits: 2)
        }
    }
}

/// A value set once by whichever task gets there (the CPU samples taken by a ``Barrier``).
final class Once<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    func set(_ value: Value) {
        self.storage.withLock { $0 = $0 ?? value }
    }

    var value: Value? {
        self.storage.withLock { $0 }
    }
}
