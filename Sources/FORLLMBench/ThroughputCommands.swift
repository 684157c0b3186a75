import ArgumentParser
import NIOCore
import Synchronization

/// `post`: articles per second over several connections.
struct PostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "POST articles over several connections; prints rate= (articles/s).",
        discussion: """
            --depth 1 is what a newsreader does (POST, wait for 340, send the article, wait for 240).
            --depth N>1 pipelines: each connection writes N times "POST + article" without waiting
            for the 340s and keeps N articles in flight (used to fill a group fast).
            Also prints high_before= and high_after= (the group's high-water mark around the run),
            and with --depth 1 what the client waited for: post_340_p50_us= and post_340_p90_us=
            (POST until its 340), post_240_p50_us= and post_240_p90_us= (the article until its 240).
            """
    )
    @OptionGroup var server: ServerOptions
    @Option(help: "Newsgroup to post to.") var group = "forllm.bench"
    @Option(help: "Articles in all.") var count = 2000
    @Option(help: "Connections posting at once.") var connections = 8
    @Option(help: "Articles in flight per connection (1: no pipelining).") var depth = 1
    @Option(help: "Distinguishes this run's Message-IDs from other runs'.") var tag = "p"
    @OptionGroup var processes: ServerProcessOptions

    func run() async throws {
        let endpoint = self.server.endpoint
        let before = try await NNTPBenchConnection.with(endpoint) { try await $0.group(self.group) }
        let processes = self.processes
        let startCPU = Once<CPUMeter>()
        let endCPU = Once<CPUMeter>()
        let gate = Barrier(count: self.connections) { startCPU.set(.sample(processes)) }
        let done = Barrier(count: self.connections) { endCPU.set(.sample(processes)) }
        let failures = Tally()
        let latencies = PostLatencies()
        let group = self.group
        let depth = max(1, self.depth)
        let tag = self.tag
        let shares = (0..<self.connections).map { index in
            self.count / self.connections + (index < self.count % self.connections ? 1 : 0)
        }
        let finished = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { tasks in
            for (index, share) in shares.enumerated() {
                tasks.addTask {
                    try await NNTPBenchConnection.with(endpoint) { connection in
                        let articles = (0..<share).map { number in
                            BenchArticle.make(
                                group: group,
                                messageID: BenchArticle.messageID("\(tag).\(index).\(number)"),
                                subject: "Bench article \(index)-\(number)"
                            )
                        }
                        await gate.arrive()
                        if depth == 1 {
                            var go: [Double] = []
                            var stored: [Double] = []
                            go.reserveCapacity(articles.count)
                            stored.reserveCapacity(articles.count)
                            for article in articles {
                                let start = ContinuousClock.now
                                var accepted: ContinuousClock.Instant?
                                let reply = try await connection.post(article) { accepted = $0 }
                                if reply.code != 240 { failures.add(reply.line) }
                                if let accepted {
                                    go.append(Measurements.micros(accepted - start))
                                    stored.append(Measurements.micros(ContinuousClock.now - accepted))
                                }
                            }
                            latencies.add(go: go, stored: stored)
                        } else {
                            try await Self.pipelined(articles, depth: depth, on: &connection, failures: failures)
                        }
                        let end = ContinuousClock.now
                        await done.arrive()
                        return end
                    }
                }
            }
            var last = ContinuousClock.now
            for try await end in tasks { last = max(last, end) }
            return last
        }
        let elapsed = Measurements.seconds(finished - (gate.openedAt ?? finished))
        let after = try await NNTPBenchConnection.with(endpoint) { try await $0.group(self.group) }
        let failed = failures.all
        Measurements.report("posted", self.count - failed.count)
        Measurements.report("failed", failed.count)
        Measurements.report("seconds", elapsed, digits: 3)
        Measurements.report("rate", Double(self.count - failed.count) / elapsed)
        Measurements.report("high_before", before.high)
        Measurements.report("high_after", after.high)
        if let start = startCPU.value, let end = endCPU.value {
            start.report(until: end, operations: self.count, processes: self.processes)
        }
        latencies.report()
        if let first = failed.first {
            Measurements.note("\(failed.count) articles refused, first: \(first)")
        }
    }

    /// Keeps `depth` articles in flight: "POST\r\n" and the article are written together, the
    /// 340 and the 240 read later.
    static func pipelined(
        _ articles: [ByteBuffer],
        depth: Int,
        on connection: inout NNTPBenchConnection,
        failures: Tally
    ) async throws {
        let post = ByteBuffer(string: "POST\r\n")
        var sent = 0
        var done = 0
        func batch(_ range: Range<Int>) -> ByteBuffer {
            var buffer = ByteBuffer()
            for index in range {
                buffer.writeImmutableBuffer(post)
                buffer.writeImmutableBuffer(articles[index])
            }
            return buffer
        }
        let first = min(depth, articles.count)
        try await connection.send(batch(0..<first))
        sent = first
        while done < articles.count {
            let go = try await connection.reply()
            guard go.code == 340 else {
                // The article lines already sent would now be read as commands: give up here.
                throw BenchError("pipelined POST answered '\(go.line)' instead of 340")
            }
            let result = try await connection.reply()
            if result.code != 240 { failures.add(result.line) }
            done += 1
            if sent < articles.count {
                try await connection.send(batch(sent..<(sent + 1)))
                sent += 1
            }
        }
    }
}

/// `over`: OVER (or XOVER) over a range, lines per second.
struct OverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "over",
        abstract: "GROUP, then OVER LOW-HIGH on one connection; prints rate= (overview lines/s, median of the runs)."
    )
    @OptionGroup var server: ServerOptions
    @Option(help: "Newsgroup.") var group = "forllm.bench"
    @Option(help: "LOW-HIGH (default: the group's whole range).") var range: ArticleRange?
    @Option(help: "How often to repeat (each on the same connection).") var runs = 3
    @Option(help: "OVER or XOVER.") var verb = "OVER"
    @OptionGroup var processes: ServerProcessOptions

    func run() async throws {
        let range = try await self.server.resolve(self.range, group: self.group)
        let verb = self.verb.uppercased()
        let results = try await NNTPBenchConnection.with(self.server.endpoint) { connection in
            _ = try await connection.group(self.group)
            var results: [(lines: Int, bytes: Int, seconds: Double, cpu: CPUMeter, end: CPUMeter)] = []
            for _ in 0..<max(1, self.runs) {
                let cpu = CPUMeter.sample(self.processes)
                let start = ContinuousClock.now
                let reply = try await connection.command("\(verb) \(range.low)-\(range.high)")
                let elapsed = Measurements.seconds(ContinuousClock.now - start)
                guard reply.code == 224 else { throw BenchError("\(verb): '\(reply.line)'") }
                results.append((reply.lineCount, reply.byteCount, elapsed, cpu, CPUMeter.sample(self.processes)))
            }
            return results
        }
        let rates = results.map { Double($0.lines) / $0.seconds }
        Measurements.report("lines", results[0].lines)
        Measurements.report("bytes", results[0].bytes)
        Measurements.report("rate", Measurements.median(rates))
        Measurements.report("best", rates.max() ?? 0)
        Measurements.report(
            "mb_per_s",
            Double(results[0].bytes) / Measurements.median(results.map(\.seconds)) / 1e6,
            digits: 1
        )
        Measurements.report("seconds", Measurements.median(results.map(\.seconds)), digits: 3)
        if let first = results.first, let last = results.last {
            first.cpu.report(
                until: last.end,
                operations: results.reduce(0) { $0 + $1.lines },
                processes: self.processes
            )
        }
    }
}

/// `article`: ARTICLE of random numbers over several connections.
struct ArticleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "article",
        abstract: "ARTICLE n for random n in the group over several connections; prints rate= (articles/s).",
        discussion: "--depth N>1 pipelines N commands per connection (RFC 3977 §3.5)."
    )
    @OptionGroup var server: ServerOptions
    @Option(help: "Newsgroup.") var group = "forllm.bench"
    @Option(help: "LOW-HIGH (default: the group's whole range).") var range: ArticleRange?
    @Option(help: "Articles in all.") var count = 20000
    @Option(help: "Connections.") var connections = 8
    @Option(help: "Commands in flight per connection (1: no pipelining).") var depth = 1
    @Flag(help: "A plain client, as newsreaders are: no TCP_QUICKACK re-armed after each read.") var plain = false
    @OptionGroup var processes: ServerProcessOptions

    func run() async throws {
        let endpoint = self.server.endpoint
        let quickAck = !self.plain
        let range = try await self.server.resolve(self.range, group: self.group)
        let processes = self.processes
        let startCPU = Once<CPUMeter>()
        let endCPU = Once<CPUMeter>()
        let gate = Barrier(count: self.connections) { startCPU.set(.sample(processes)) }
        let finished = Barrier(count: self.connections) { endCPU.set(.sample(processes)) }
        let group = self.group
        let depth = max(1, self.depth)
        let shares = (0..<self.connections).map { index in
            self.count / self.connections + (index < self.count % self.connections ? 1 : 0)
        }
        let outcome = try await withThrowingTaskGroup(of: (end: ContinuousClock.Instant, bytes: Int, missing: Int).self)
        {
            tasks in
            for share in shares {
                tasks.addTask {
                    try await NNTPBenchConnection.with(endpoint, quickAck: quickAck) { connection in
                        _ = try await connection.group(group)
                        let commands = (0..<share).map { _ in
                            ByteBuffer(string: "ARTICLE \(Int.random(in: range.low...range.high))\r\n")
                        }
                        await gate.arrive()
                        var bytes = 0
                        var missing = 0
                        var sent = 0
                        var done = 0
                        while done < commands.count {
                            if sent < commands.count, sent - done < depth {
                                var buffer = ByteBuffer()
                                while sent < commands.count, sent - done < depth {
                                    buffer.writeImmutableBuffer(commands[sent])
                                    sent += 1
                                }
                                try await connection.send(buffer)
                            }
                            let reply = try await connection.reply()
                            done += 1
                            if reply.code == 220 { bytes += reply.byteCount } else { missing += 1 }
                        }
                        let end = ContinuousClock.now
                        await finished.arrive()
                        return (end: end, bytes: bytes, missing: missing)
                    }
                }
            }
            var last = ContinuousClock.now
            var bytes = 0
            var missing = 0
            for try await result in tasks {
                last = max(last, result.end)
                bytes += result.bytes
                missing += result.missing
            }
            return (end: last, bytes: bytes, missing: missing)
        }
        let elapsed = Measurements.seconds(outcome.end - (gate.openedAt ?? outcome.end))
        Measurements.report("articles", self.count - outcome.missing)
        Measurements.report("missing", outcome.missing)
        Measurements.report("seconds", elapsed, digits: 3)
        Measurements.report("rate", Double(self.count) / elapsed)
        Measurements.report("mb_per_s", Double(outcome.bytes) / elapsed / 1e6, digits: 1)
        if let start = startCPU.value, let end = endCPU.value {
            start.report(until: end, operations: self.count, processes: self.processes)
        }
    }
}

/// `latency`: GROUP and ARTICLE round trips on one connection, one at a time.
struct LatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Sequential GROUP, then ARTICLE (random n), on one connection; prints p50/p99 in microseconds.",
        discussion: """
            With --versus-port a second server is measured in the same run, sample by sample: each \
            GROUP (then ARTICLE) goes to one server and at once the same command to the other, the \
            order alternating, so both see the same state of the machine. Its figures are printed \
            with the prefix versus_.
            """
    )
    @OptionGroup var server: ServerOptions
    @Option(help: "Newsgroup.") var group = "forllm.bench"
    @Option(help: "LOW-HIGH (default: the group's whole range).") var range: ArticleRange?
    @Option(help: "Measured commands of each kind.") var count = 2000
    @Option(help: "Unmeasured commands of each kind first.") var warmup = 200
    @Option(help: "A second server (same host) measured beside the first, sample by sample.") var versusPort: Int?
    @Option(help: "The second server's newsgroup (default: --group).") var versusGroup: String?
    @Option(help: "The second server's LOW-HIGH (default: its group's whole range).") var versusRange: ArticleRange?
    @OptionGroup var processes: ServerProcessOptions

    /// The two commands measured, in this order.
    private enum Kind {
        case group
        case article
    }

    /// One server measured: where, what to ask, and the times.
    private struct Target {
        var group: String
        var range: ArticleRange
        var groupTimes: [Double] = []
        var articleTimes: [Double] = []
    }

    func run() async throws {
        var targets = [Target(group: self.group, range: try await self.server.resolve(self.range, group: self.group))]
        var endpoints = [self.server.endpoint]
        if let versusPort {
            var versus = self.server
            versus.port = versusPort
            let group = self.versusGroup ?? self.group
            targets.append(Target(group: group, range: try await versus.resolve(self.versusRange, group: group)))
            endpoints.append(versus.endpoint)
        }
        targets = try await NNTPBenchConnection.with(endpoints[0]) { first in
            guard endpoints.count > 1 else {
                var connections = [first]
                defer { first = connections[0] }
                return try await self.measure(targets, on: &connections)
            }
            return try await NNTPBenchConnection.with(endpoints[1]) { second in
                var connections = [first, second]
                defer { (first, second) = (connections[0], connections[1]) }
                return try await self.measure(targets, on: &connections)
            }
        }
        for (index, target) in targets.enumerated() {
            let prefix = index == 0 ? "" : "versus_"
            for (name, times) in [("group", target.groupTimes), ("article", target.articleTimes)] {
                Measurements.report("\(prefix)\(name)_p50", Measurements.percentile(times, 50))
                Measurements.report("\(prefix)\(name)_p90", Measurements.percentile(times, 90))
                Measurements.report("\(prefix)\(name)_p99", Measurements.percentile(times, 99))
                Measurements.report("\(prefix)\(name)_mean", times.reduce(0, +) / Double(max(times.count, 1)))
            }
        }
    }

    /// All GROUPs, then all ARTICLEs; with two servers each sample asks both, the first one
    /// first on even samples and the other first on odd ones.
    private func measure(_ targets: [Target], on connections: inout [NNTPBenchConnection]) async throws -> [Target] {
        var targets = targets
        for kind in [Kind.group, .article] {
            for index in 0..<(self.warmup + self.count) {
                let order = index.isMultiple(of: 2) ? Array(targets.indices) : targets.indices.reversed()
                for server in order {
                    let command: String
                    switch kind {
                    case .group:
                        command = "GROUP \(targets[server].group)\r\n"
                    case .article:
                        let range = targets[server].range
                        command = "ARTICLE \(Int.random(in: range.low...range.high))\r\n"
                    }
                    let bytes = ByteBuffer(string: command)
                    let start = ContinuousClock.now
                    try await connections[server].send(bytes)
                    let reply = try await connections[server].reply()
                    let elapsed = Measurements.micros(ContinuousClock.now - start)
                    switch kind {
                    case .group:
                        guard reply.code == 211 else { throw BenchError("GROUP: '\(reply.line)'") }
                        if index >= self.warmup { targets[server].groupTimes.append(elapsed) }
                    case .article:
                        guard reply.code == 220 || reply.code == 423 else {
                            throw BenchError("ARTICLE: '\(reply.line)'")
                        }
                        if index >= self.warmup { targets[server].articleTimes.append(elapsed) }
                    }
                }
            }
        }
        return targets
    }
}

/// What each POST waited for, as the client saw it (`--depth 1` only): `POST` until its `340`,
/// and the article until its `240` (the server's parsing, storing and durable commit).
final class PostLatencies: Sendable {
    private let samples = Mutex<(go: [Double], stored: [Double])>(([], []))

    func add(go: [Double], stored: [Double]) {
        self.samples.withLock {
            $0.go += go
            $0.stored += stored
        }
    }

    /// Prints `post_340_p50_us=`, `post_340_p90_us=`, `post_240_p50_us=` and `post_240_p90_us=`.
    func report() {
        let (go, stored) = self.samples.withLock { $0 }
        guard !go.isEmpty else { return }
        Measurements.report("post_340_p50_us", Measurements.percentile(go, 50))
        Measurements.report("post_340_p90_us", Measurements.percentile(go, 90))
        Measurements.report("post_240_p50_us", Measurements.percentile(stored, 50))
        Measurements.report("post_240_p90_us", Measurements.percentile(stored, 90))
    }
}
