import ArgumentParser
import Foundation
import NIOCore

/// `worker`: what FORLLM's LLM worker adds around a model's answer.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Time FORLLM's worker against a loopback Ollama stub.",
        discussion: """
            Starts the stub, writes a configuration pointing `forllm serve` at it, starts the server
            on a fresh database in --dir, then posts questions (X-FORLLM-Request: default) to
            forllm.general one at a time and polls (GROUP, then HEAD of each new number) until the
            answer is readable. Prints, in milliseconds:
              overhead_*  from the stub's final "done": true line to the answer being readable
              pickup_*    from the 240 of the POST to the /api/chat request arriving at the stub
              total_*     from the 240 to the answer being readable
            """
    )
    @Option(help: "The forllm executable.") var forllm: String
    @Option(help: "Directory for the configuration, database and log (created).") var dir: String
    @Option(help: "Measured answers.") var answers = 50
    @Option(help: "Unmeasured answers first (the first opens the HTTP connection, fetches tags).") var warmup = 2
    @Option(help: "llm.poll_interval_seconds of the server.") var pollInterval = 0.05
    @Option(help: "Streamed pieces per answer.") var pieces = 20
    @Option(help: "Milliseconds before each piece.") var pieceDelayMs = 5
    @Option(help: "Microseconds between two GROUP polls.") var nntpPollMicros = 200

    func run() async throws {
        let stub = OllamaStub(pieces: self.pieces, pieceDelay: .milliseconds(Int64(self.pieceDelayMs)))
        let stubPort = try await stub.start()
        let port = try BlockingSocket.freePort()
        try FileManager.default.createDirectory(atPath: self.dir, withIntermediateDirectories: true)
        let configPath = self.dir + "/forllm.yaml"
        let config = """
            # written by forllm-bench worker
            server:
              listen: 127.0.0.1:\(port)
            database: \(self.dir)/worker.db
            log_level: warning
            llm:
              default_backend: ollama
              default_model: llama3.2
              poll_interval_seconds: \(self.pollInterval)
            backends:
              - name: ollama
                type: ollama
                url: http://127.0.0.1:\(stubPort)
                concurrency: 1

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)

        let logPath = self.dir + "/serve.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.forllm)
        process.arguments = ["serve", "--config", configPath]
        process.currentDirectoryURL = URL(fileURLWithPath: self.dir)
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FORLLM_") }
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let endpoint = NNTPEndpoint(host: "127.0.0.1", port: port)
        do {
            try await Self.waitForGreeting(endpoint, process: process, log: logPath)
            try await self.measure(endpoint, stub: stub)
        } catch {
            await Self.stop(process)
            await stub.shutdown()
            throw error
        }
        await Self.stop(process)
        await stub.shutdown()
    }

    private func measure(_ endpoint: NNTPEndpoint, stub: OllamaStub) async throws {
        var overhead: [Double] = []
        var pickup: [Double] = []
        var total: [Double] = []
        let group = "forllm.general"
        let pollPause = Duration.microseconds(self.nntpPollMicros)
        try await NNTPBenchConnection.with(endpoint) { poster in
            try await NNTPBenchConnection.with(endpoint, keepsBodies: true) { poller in
                var seen = try await poller.group(group).high
                for index in 0..<(self.warmup + self.answers) {
                    let token = "bench-ask-\(index)"
                    let messageID = BenchArticle.messageID("ask.\(index)")
                    let article = BenchArticle.make(
                        group: group,
                        messageID: messageID,
                        subject: "Bench question \(index)",
                        extraHeaders: ["X-FORLLM-Request: default"],
                        body: ["Please answer benchmark question \(token) in a few words.", "", "Thanks."]
                    )
                    let posted = try await poster.post(article)
                    let postedAt = ContinuousClock.now
                    guard posted.code == 240 else { throw BenchError("POST of question \(index): '\(posted.line)'") }
                    let deadline = postedAt + .seconds(60)
                    var readableAt: ContinuousClock.Instant?
                    while readableAt == nil {
                        let high = try await poller.group(group).high
                        let polledAt = ContinuousClock.now
                        while seen < high {
                            seen += 1
                            let head = try await poller.command("HEAD \(seen)")
                            if head.code == 221, Self.references(in: head.bodyText).contains(messageID) {
                                readableAt = polledAt
                            }
                        }
                        if readableAt == nil {
                            guard polledAt < deadline else {
                                throw BenchError("no answer to question \(index) within 60 s")
                            }
                            try await Task.sleep(for: pollPause)
                        }
                    }
                    guard let chat = stub.chat(token: token), let finished = chat.finished, let readableAt else {
                        throw BenchError("the stub saw no finished chat request for question \(index)")
                    }
                    if index >= self.warmup {
                        overhead.append(Measurements.micros(readableAt - finished) / 1000)
                        pickup.append(Measurements.micros(chat.arrived - postedAt) / 1000)
                        total.append(Measurements.micros(readableAt - postedAt) / 1000)
                    }
                }
            }
        }
        for (name, values) in [("overhead", overhead), ("pickup", pickup), ("total", total)] {
            Measurements.report("\(name)_p50_ms", Measurements.percentile(values, 50), digits: 2)
            Measurements.report("\(name)_p90_ms", Measurements.percentile(values, 90), digits: 2)
            Measurements.report("\(name)_p99_ms", Measurements.percentile(values, 99), digits: 2)
            Measurements.report("\(name)_max_ms", values.max() ?? 0, digits: 2)
        }
        Measurements.report("answers", overhead.count)
        Measurements.report("stream_ms", Double(self.pieces * self.pieceDelayMs))
        Measurements.report("poll_interval_s", self.pollInterval, digits: 2)
        Measurements.report("nntp_poll_us", self.nntpPollMicros)
        let counts = stub.requestCounts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
        Measurements.report("stub_requests", counts.joined(separator: ","))
    }

    /// The `References` header of a HEAD answer, unfolded.
    static func references(in head: String) -> String {
        var result = ""
        var inReferences = false
        for line in head.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t" {
                if inReferences { result += line }
                continue
            }
            inReferences = line.lowercased().hasPrefix("references:")
            if inReferences { result += line.dropFirst("references:".count) }
        }
        return result
    }

    static func waitForGreeting(_ endpoint: NNTPEndpoint, process: Process, log: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                try await NNTPBenchConnection.with(endpoint) { _ in }
                return
            } catch {
                guard process.isRunning else {
                    throw BenchError("forllm serve exited with status \(process.terminationStatus); see \(log)")
                }
                guard ContinuousClock.now < deadline else { throw BenchError("forllm serve did not greet; see \(log)") }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// SIGTERM, then up to 10 s for a graceful exit, then SIGKILL.
    static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
