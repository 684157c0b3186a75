import FORLLMTestSupport
import Foundation
import GRDB
import Testing

/// `forllm sendmail`, `forllm import` and `forllm export` as mail clients and users run them:
/// the real executable, its exit status and its one line on standard error.
@Suite("forllm sendmail, import and export", .endToEnd)
struct MailCommandTests {
    static func mail(
        to: String = "forllm.general@forllm.local",
        subject: String = "By mail",
        extra: [String] = [],
        body: String = "Hello from mutt.\n"
    ) -> String {
        (["From: Jane <jane@example.org>", "To: \(to)", "Subject: \(subject)"] + extra).joined(separator: "\n")
            + "\n\n" + body
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Every exit status of PRODUCT.md, each with one line on standard error.
    @Test("sendmail exits 0, 64, 65, 67, 75 and 78 with one line saying why")
    func exitStatuses() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        #expect(try await ForLLMProcess.run(["migrate"], in: directory).status == 0)
        func sendmail(_ arguments: [String], _ input: String) async throws -> ForLLMProcess.Result {
            try await ForLLMProcess.run(["sendmail"] + arguments, in: directory, input: input)
        }
        let stored = try await sendmail(["-oi", "--", "forllm.general@forllm.local"], Self.mail())
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(stored.stderr.isEmpty)
        #expect(stored.stdout.isEmpty)

        let cases: [(arguments: [String], input: String, status: Int32, says: String)] = [
            (["forllm.general@forllm.local"], "no header line\n", 65, "not a valid article"),
            (["forllm.general@forllm.local"], Self.mail(extra: ["Date: Mon, 1 Jan 2001 00:00:00 +0000"]), 65, "Date"),
            (["assistant@personas.forllm.local"], Self.mail(), 65, "reply"),
            (["jane@example.org"], Self.mail(), 67, "jane@example.org"),
            (["no.such.group@forllm.local"], Self.mail(), 67, "no group named no.such.group"),
            (["ghost@personas.forllm.local"], Self.mail(), 67, "ghost"),
            ([], Self.mail(), 64, "no recipients"),
            (["-bs"], Self.mail(), 64, "-bs"),
            (["--bogus", "x"], Self.mail(), 64, "unknown option --bogus"),
            (
                ["--database", directory.path + "/missing/dir.db", "forllm.general@forllm.local"], Self.mail(), 75,
                "no database at \(directory.path)/missing/dir.db"
            ),
            (
                ["--config", directory.path + "/none.yaml", "forllm.general@forllm.local"], Self.mail(), 78,
                "configuration file not found"
            )
        ]
        for item in cases {
            let result = try await sendmail(item.arguments, item.input)
            #expect(result.status == item.status, "\(item.arguments): \(result.stderr)")
            #expect(result.stderr.contains(item.says), "\(item.arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("forllm: "), "\(result.stderr)")
        }
        // Only the first message is stored.
        let groups = try await ForLLMProcess.run(["group", "show", "forllm.general", "--json"], in: directory)
        #expect(try Self.json(groups.stdout)["count"] as? Int == 1)
    }

    @Test("sendmail exits 75 while another process holds the database locked")
    func busy() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        #expect(try await ForLLMProcess.run(["migrate"], in: directory).status == 0)
        // Another writer holds the file's write lock for as long as the sendmail process runs
        // (the store waits its busy timeout, then gives up).
        let holder = try DatabaseQueue(path: directory.path + "/forllm_data.db")
        let result = try await holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            // Blocking on purpose (on the database queue's thread, not the pool): the lock is held
            // for exactly as long as the process runs.
            return try ForLLMProcess.runBlocking(
                ["sendmail", "forllm.general@forllm.local"],
                in: directory,
                input: Self.mail()
            )
        }
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("locked"), "\(result.stderr)")
    }

    @Test("sendmail routes: group address, persona in a replied-to thread, -t, Newsgroups, the lone dot")
    func routing() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        #expect(try await ForLLMProcess.run(["migrate"], in: directory).status == 0)
        func forllm(_ arguments: [String], input: String? = nil) async throws -> ForLLMProcess.Result {
            let result = try await ForLLMProcess.run(arguments, in: directory, input: input)
            #expect(result.status == 0, "forllm \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        _ = try await forllm(["group", "create", "test.kitchen", "--mode", "request"])
        _ = try await forllm(["persona", "create", "Chef Anna", "--handle", "chef", "--instructions", "Cook."])
        // A topic by mail, in a request group: nobody asked, nothing queued.
        _ = try await forllm(
            ["sendmail", "-i", "-f", "jane@example.org", "test.kitchen@forllm.local"],
            input: Self.mail(to: "test.kitchen@forllm.local", extra: ["Message-ID: <topic@example.org>"])
        )
        // A reply addressed to the persona (as a mail client's reply to an answer is), with -t.
        _ = try await forllm(
            ["sendmail", "-t", "-oi"],
            input: Self.mail(
                to: "Chef Anna <chef@personas.forllm.local>",
                subject: "Re: By mail",
                extra: ["In-Reply-To: <topic@example.org>", "Message-ID: <reply@example.org>"]
            )
        )
        // -t takes Bcc recipients too, and the Bcc header never reaches the article.
        _ = try await forllm(
            ["sendmail", "-t"],
            input: Self.mail(
                to: "undisclosed-recipients:;",
                extra: ["Bcc: Kitchen <test.kitchen@forllm.local>", "Message-ID: <bcc@example.org>"]
            )
        )
        let queue = try await #require(
            try JSONSerialization.jsonObject(with: Data(try forllm(["queue", "list", "--json"]).stdout.utf8))
                as? [[String: Any]]
        )
        #expect(queue.count == 1)
        #expect(queue.first?["persona"] as? String == "chef")
        #expect(queue.first?["group"] as? String == "test.kitchen")
        #expect(queue.first?["message_id"] as? String == "<reply@example.org>")

        // A Newsgroups header alone routes; without -i a lone dot ends the message.
        _ = try await forllm(
            ["sendmail"],
            input: Self.mail(
                extra: ["Newsgroups: test.kitchen", "Message-ID: <dot@example.org>"],
                body: "kept\n.\ncut\n"
            )
        )
        let exported = try await forllm(["export", "mbox", "--group", "test.kitchen"]).stdout
        #expect(exported.contains("Message-ID: <dot@example.org>"))
        #expect(exported.contains("kept\n\n"))
        #expect(!exported.contains("cut"))
        #expect(exported.contains("Message-ID: <bcc@example.org>"))
        #expect(!exported.contains("Bcc:"))
        #expect(exported.contains("References: <topic@example.org>"))
        #expect(exported.components(separatedBy: "\nFrom ").count == 4)
    }

    @Test("import mbox and maildir, export mbox, import the export elsewhere: same bodies; a rerun adds nothing")
    func importExport() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        func forllm(_ arguments: [String], database: String = "forllm_data.db") async throws -> ForLLMProcess.Result {
            let result = try await ForLLMProcess.run(arguments + ["--database", database], in: directory)
            #expect(result.status == 0, "forllm \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        var mbox = ""
        for index in 1...30 {
            mbox += "From user\(index)@example.org Mon Jan  1 00:00:00 2001\n"
            mbox += "From: User \(index) <user\(index)@example.org>\nSubject: Message \(index)\n"
            mbox += "Date: Mon, 1 Jan 2001 00:00:00 +0000\n"
            if index % 2 == 0 { mbox += "Message-ID: <m\(index)@example.org>\n" }
            if index > 1 { mbox += "In-Reply-To: <m2@example.org>\n" }
            mbox += "\nBody \(index)\n>From quoted\n\n"
        }
        mbox += "From bad@example.org Mon Jan  1 00:00:00 2001\nnot a header\n"
        try Data(mbox.utf8).write(to: URL(fileURLWithPath: directory.path + "/list.mbox"))
        _ = try await forllm(["migrate"])
        _ = try await forllm(["group", "create", "test.archive", "--mode", "auto"])

        let first = try await forllm(["import", "mbox", "list.mbox", "--group", "test.archive"])
        #expect(
            first.stdout.hasPrefix("imported 30 of 31 messages into test.archive (0 duplicates skipped, 1 rejected)")
        )
        #expect(first.stdout.contains("rejected message 31"))
        #expect(first.stderr.isEmpty, "no progress line when standard error is no terminal")
        let again = try await Self.json(
            try forllm(["import", "mbox", "list.mbox", "--group", "test.archive", "--json"]).stdout
        )
        #expect(again["imported"] as? Int == 0)
        #expect(again["duplicates"] as? Int == 30)
        #expect(again["rejected"] as? Int == 1)
        #expect(again["messages"] as? Int == 31)
        #expect((again["rejections"] as? [[String: Any]])?.first?["position"] as? Int == 31)
        let queue = try await JSONSerialization.jsonObject(
            with: Data(try forllm(["queue", "list", "--json"]).stdout.utf8)
        )
        #expect((queue as? [Any])?.isEmpty == true, "imports ask for no answers")

        // Export to a file (and the same to standard output), then into a fresh database.
        let exported = try await forllm(["export", "mbox", "--group", "test.archive", "--output", "out.mbox"])
        #expect(exported.stdout == "exported 30 articles of test.archive to out.mbox\n")
        let file = try String(contentsOfFile: directory.path + "/out.mbox", encoding: .utf8)
        #expect(try await forllm(["export", "mbox", "--group", "test.archive"]).stdout == file)
        #expect(file.contains("\n>From quoted\n"))
        #expect(file.hasPrefix("From user1@example.org Mon Jan  1 00:00:00 2001\n"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }.isEmpty
        )

        _ = try await forllm(["migrate"], database: "copy.db")
        _ = try await forllm(["group", "create", "test.copy"], database: "copy.db")
        let copy = try await Self.json(
            try forllm(["import", "mbox", "out.mbox", "--group", "test.copy", "--json"], database: "copy.db").stdout
        )
        #expect(copy["imported"] as? Int == 30)
        let reexported = try await forllm(["export", "mbox", "--group", "test.copy"], database: "copy.db").stdout
        // Bodies (everything after each header section) are identical.
        func bodies(_ text: String) -> [String] {
            text.components(separatedBy: "\nFrom ").map { entry in
                entry.range(of: "\n\n").map { String(entry[$0.upperBound...]) } ?? ""
            }
        }
        #expect(bodies(reexported) == bodies(file))

        // A Maildir: new/ and cur/, read in name order; its messages are all there already.
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                atPath: directory.path + "/Maildir/\(sub)",
                withIntermediateDirectories: true
            )
        }
        try Data("From: a@b\nSubject: maildir new\n\nfresh\n".utf8)
            .write(to: URL(fileURLWithPath: directory.path + "/Maildir/new/1700000001.1.host"))
        try Data("From: a@b\nSubject: maildir cur\nMessage-ID: <m2@example.org>\n\nold\n".utf8)
            .write(to: URL(fileURLWithPath: directory.path + "/Maildir/cur/1700000000.1.host:2,S"))
        try Data("not mail".utf8).write(to: URL(fileURLWithPath: directory.path + "/Maildir/tmp/1700000002.1.host"))
        let maildir = try await Self.json(
            try forllm(["import", "maildir", "Maildir", "--group", "test.archive", "--json"]).stdout
        )
        #expect(maildir["messages"] as? Int == 2)
        #expect(maildir["imported"] as? Int == 1)
        #expect(maildir["duplicates"] as? Int == 1)

        // Errors: one line, exit 1, no file left behind.
        let missing = try await ForLLMProcess.run(
            ["import", "mbox", "nope.mbox", "--group", "test.archive"],
            in: directory
        )
        #expect(missing.status == 1)
        #expect(missing.stderr == "forllm: nope.mbox: no such file\n")
        let notMaildir = try await ForLLMProcess.run(
            ["import", "maildir", "out.mbox", "--group", "test.archive"],
            in: directory
        )
        #expect(notMaildir.status == 1)
        #expect(notMaildir.stderr.contains("not a Maildir"))
        let notMbox = try await ForLLMProcess.run(
            ["import", "mbox", "Maildir/new/1700000001.1.host", "--group", "test.archive"],
            in: directory
        )
        #expect(notMbox.status == 1)
        #expect(notMbox.stderr.contains("not an mbox file"))
        let noGroup = try await ForLLMProcess.run(
            ["export", "mbox", "--group", "no.such", "--output", "x.mbox"],
            in: directory
        )
        #expect(noGroup.status == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/x.mbox"))
        let badDirectory = try await ForLLMProcess.run(
            ["export", "mbox", "--group", "test.archive", "--output", "no/such/dir.mbox"],
            in: directory
        )
        #expect(badDirectory.status == 1)
        #expect(badDirectory.stderr.contains("cannot write no/such/dir.mbox"))
    }

    @Test("an import killed (kill -9) halfway and run again: every message once, also those without Message-ID")
    func importKilledAndRunAgain() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let count = 20_000
        var mbox = ""
        for index in 1...count {
            mbox += "From u@example.org Mon Jan  1 00:00:00 2001\nFrom: u\(index % 7)@example.org\n"
            mbox += "Subject: Message \(index)\nDate: Mon, 1 Jan 2001 00:00:00 +0000\n"
            if index % 3 != 0 { mbox += "Message-ID: <kill\(index)@example.org>\n" }
            mbox += "\nBody \(index)\n\n"
        }
        try Data(mbox.utf8).write(to: URL(fileURLWithPath: directory.path + "/big.mbox"))
        #expect(
            try await ForLLMProcess.run(["migrate", "--database", directory.databasePath], in: directory).status == 0
        )
        #expect(
            try await ForLLMProcess.run(
                ["group", "create", "test.kill", "--mode", "off", "--database", directory.databasePath],
                in: directory
            ).status == 0
        )
        let database = try DatabaseQueue(path: directory.databasePath)
        func stored() throws -> Int {
            try database.read { db in
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM group_article ga JOIN newsgroup g ON g.id = ga.group_id
                        WHERE g.name = 'test.kill'
                        """
                ) ?? 0
            }
        }

        // The first run reads a FIFO that gets only the first part of the archive, so it is
        // certainly halfway when it is killed, however fast or slow the machine.
        let fifo = directory.path + "/big.fifo"
        try #require(mkfifo(fifo, 0o600) == 0)
        let first = try ForLLMProcess.start(
            ["import", "mbox", "big.fifo", "--group", "test.kill", "--database", directory.databasePath],
            in: directory
        )
        let firstPart = Data(mbox.utf8).prefix(mbox.utf8.count * 3 / 5)
        // A write to a FIFO whose reader is gone fails with EPIPE instead of killing the tests.
        signal(SIGPIPE, SIG_IGN)
        let writer = Task.detached {
            // Opening a FIFO for writing waits for its reader: off the test's task.
            let handle = FileHandle(forWritingAtPath: fifo)
            try handle?.write(contentsOf: firstPart)
            return handle
        }
        // Another process's commits cannot be observed, only looked at: every few milliseconds
        // until the first batches are in.
        var before = 0
        while before < 1000 {
            try await Task.sleep(for: .milliseconds(5))
            before = try stored()
            try #require(
                first.process.isRunning,
                "the import ended before it could be killed (\(before) stored): \(first.standardError())"
            )
        }
        kill(first.process.processIdentifier, SIGKILL)
        try? await writer.value?.close()
        #expect(await first.waitForExit() == SIGKILL)
        let killedAt = try stored()
        #expect(killedAt < count, "the import finished before it was killed")

        let again = try await ForLLMProcess.run(
            ["import", "mbox", "big.mbox", "--group", "test.kill", "--json", "--database", directory.databasePath],
            in: directory
        )
        #expect(again.status == 0, "\(again.stderr)")
        let summary = try Self.json(again.stdout)
        #expect(summary["imported"] as? Int == count - killedAt)
        #expect(summary["duplicates"] as? Int == killedAt)
        #expect(try stored() == count)
        let distinctBodies = try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(DISTINCT body) FROM article WHERE subject LIKE 'Message %'")
        }
        #expect(distinctBodies == count)
    }

    @Test(
        "on a terminal, import draws a progress line with \\r on standard error, cleared before the summary",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"))
    )
    func progressOnTerminal() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        var mbox = ""
        for index in 1...2500 {
            mbox +=
                "From u@example.org Mon Jan  1 00:00:00 2001\nFrom: u@example.org\nSubject: \(index)\n\nb\(index)\n\n"
        }
        try Data(mbox.utf8).write(to: URL(fileURLWithPath: directory.path + "/p.mbox"))
        #expect(try await ForLLMProcess.run(["migrate"], in: directory).status == 0)
        #expect(try await ForLLMProcess.run(["group", "create", "test.progress"], in: directory).status == 0)
        // script(1) runs the command on a pseudo-terminal: what a person at a terminal sees.
        let command = try ForLLMProcess.executable.path + " import mbox p.mbox --group test.progress"
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        script.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        script.environment = ForLLMProcess.environment([:])
        let outPath = directory.path + "/script.out"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        defer { try? out.close() }
        script.standardOutput = out
        script.standardInput = FileHandle.nullDevice
        let status = await (try ChildProcess(starting: script)).exitStatus()
        let seen = try String(contentsOfFile: outPath, encoding: .utf8)
        #expect(status == 0, "\(seen)")
        #expect(seen.contains("\rimporting p.mbox: "), "\(seen)")
        #expect(seen.contains("\r\u{1B}[Kimported 2500 of 2500 messages into test.progress"), "\(seen)")
    }
}
