import ArgumentParser
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `maildir-latency`: how long after a POST's 240 the article is a file in the Maildir's `new/`.
struct MaildirLatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maildir-latency",
        abstract: "POST articles one at a time and time each from its 240 to its file in the Maildir's new/.",
        discussion: """
            The server must deliver GROUP to MAILDIR (mail.maildir; MAILDIR is the group's own Maildir,
            the one with tmp/, new/ and cur/). For each article: POST, and while the client waits for
            the 240 another task lists new/ every 100 us (readdir) until one more file is there. The
            latency is the instant the file was seen minus the instant the 240 was read; the server
            stores the article (commits) just before it sends the 240, so this is stored -> new/, a
            loopback round trip short. A file seen before the 240 is read counts as 0. Prints
            p50_ms, p99_ms, max_ms.
            """
    )
    @OptionGroup var server: ServerOptions
    @Option(help: "The group posted to (delivered, with no requests: mode off).") var group = "forllm.mail"
    @Option(help: "The group's Maildir (the directory holding new/).") var maildir: String
    @Option(help: "Articles measured.") var count = 200
    @Option(help: "Articles posted first and not measured.") var warmup = 20
    @Option(help: "Distinguishes this run's Message-IDs from other runs'.") var tag = "maildir"

    func run() async throws {
        let newDirectory = self.maildir + "/new"
        let (group, tag, count, warmup) = (self.group, self.tag, self.count, self.warmup)
        let latencies = try await NNTPBenchConnection.with(self.server.endpoint) { connection in
            var latencies: [Double] = []
            for index in 0..<(warmup + count) {
                let before = try Self.fileCount(newDirectory)
                let article = BenchArticle.make(
                    group: group,
                    messageID: BenchArticle.messageID("\(tag).\(index)"),
                    subject: "Mail latency \(index)"
                )
                let go = try await connection.command("POST")
                guard go.code == 340 else { throw BenchError("POST: '\(go.line)'") }
                let seen = Once<ContinuousClock.Instant>()
                let watcher = Task.detached {
                    let deadline = ContinuousClock.now + .seconds(10)
                    while ContinuousClock.now < deadline {
                        if (try? Self.fileCount(newDirectory)) ?? before > before {
                            seen.set(ContinuousClock.now)
                            return true
                        }
                        usleep(100)
                    }
                    return false
                }
                try await connection.send(article)
                let reply = try await connection.reply()
                let posted = ContinuousClock.now
                guard reply.code == 240 else {
                    watcher.cancel()
                    throw BenchError("article \(index): '\(reply.line)'")
                }
                guard await watcher.value, let appeared = seen.value else {
                    throw BenchError("article \(index) did not reach \(newDirectory) within 10 s")
                }
                if index >= warmup {
                    latencies.append(max(0, Measurements.micros(appeared - posted)) / 1000)
                }
            }
            return latencies
        }
        Measurements.report("count", latencies.count)
        Measurements.report("p50_ms", Measurements.percentile(latencies, 50), digits: 2)
        Measurements.report("p99_ms", Measurements.percentile(latencies, 99), digits: 2)
        Measurements.report("max_ms", latencies.max() ?? 0, digits: 2)
    }

    /// The files in `directory` (dot files left out); 0 while it does not exist (the server makes
    /// the Maildir with its first delivery).
    static func fileCount(_ directory: String) throws -> Int {
        guard let stream = opendir(directory) else {
            if errno == ENOENT { return 0 }
            throw BenchError("cannot list \(directory)")
        }
        defer { closedir(stream) }
        var count = 0
        while let entry = readdir(stream) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }
}
