import Foundation
import FORLLMTestSupport
import GRDB
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A database with three threads posted by `forllm post` while mail was off, and a
/// configuration that turns mail on: what `forllm mail sync` and the mail readers start from.
struct MailForum {
    let directory: TestDirectory
    /// The configuration with mail on.
    let config: String
    /// The same without `mail:`.
    let mailOff: String
    let maildir: String

    init(layout: String) async throws {
        self.directory = try TestDirectory()
        self.maildir = self.directory.path + "/Mail"
        self.config = self.directory.path + "/mail.yaml"
        self.mailOff = self.directory.path + "/off.yaml"
        let common = "database: \(self.directory.databasePath)\n"
        try common.write(toFile: self.mailOff, atomically: true, encoding: .utf8)
        try (common + "mail:\n  maildir: \(self.maildir)\n  layout: \(layout)\n")
            .write(toFile: self.config, atomically: true, encoding: .utf8)

        try await self.directory.migrate()
        // Three threads: a root with a reply and a reply to that, a root with one reply, a root alone.
        let first = try await self.post("Bread", "How long should dough proof?")
        let second = try await self.post("Re: Bread", "About an hour.", references: [first])
        _ = try await self.post("Re: Bread", "Thanks!", references: [first, second])
        let other = try await self.post("Knives", "Which knife for bread?")
        _ = try await self.post("Re: Knives", "A serrated one.", references: [other])
        _ = try await self.post("Salt", "Fine or coarse?")
    }

    /// Posts with mail off; returns the Message-ID.
    func post(_ subject: String, _ text: String, references: [String] = []) async throws -> String {
        let result = try await ForLLMProcess.run(
            [
                "post", "--config", self.mailOff, "--group", "forllm.general", "--subject", subject, "--from",
                "Jane <jane@example.org>", "--request", "none"
            ] + references.flatMap { ["--references", $0] },
            in: self.directory,
            input: text + "\n"
        )
        guard result.status == 0, let id = result.stdout.split(separator: " ").first(where: { $0.hasPrefix("<") })
        else { throw TestAppError(message: "forllm post: \(result.stderr)") }
        return String(id)
    }

    /// `forllm ARGUMENTS --config CONFIG`, expected to succeed.
    func forllm(_ arguments: String...) async throws -> ForLLMProcess.Result {
        let result = try await ForLLMProcess.run(arguments + ["--config", self.config], in: self.directory)
        guard result.status == 0 else { throw TestAppError(message: "forllm \(arguments): \(result.stderr)") }
        return result
    }

    /// `forllm ARGUMENTS --json` parsed.
    func json(_ arguments: String...) async throws -> Any {
        let result = try await ForLLMProcess.run(arguments + ["--json", "--config", self.config], in: self.directory)
        guard result.status == 0 else { throw TestAppError(message: "forllm \(arguments): \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// The forum's threads: the Message-IDs (without `<>`) of each, as sets.
    func threads() async throws -> Set<Set<String>> {
        let database = try DatabasePool(path: self.directory.databasePath)
        defer { try? database.close() }
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT root_message_id, message_id FROM article")
                .map { (root: $0[0] as String, id: $0[1] as String) }
        }
        return Set(
            Dictionary(grouping: rows, by: \.root).values.map { Set($0.map { String($0.id.dropFirst().dropLast()) }) }
        )
    }

    func cleanUp() {
        self.directory.cleanUp()
    }
}

/// Runs a program to its end; standard output and error as text (see
/// ``ChildProcess/run(_:_:environment:)``).
func runProgram(
    _ path: String,
    _ arguments: [String],
    environment: [String: String] = [:]
) async throws -> (status: Int32, stdout: String, stderr: String) {
    let output = try await ChildProcess.run(
        path,
        arguments,
        environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    )
    return (output.status, output.standardOutput, output.standardError)
}

/// The first of `names` found executable in /usr/sbin, /usr/bin or PATH.
func findProgram(_ names: String...) -> String? {
    let directories =
        ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"]
        + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    for name in names {
        for directory in directories where FileManager.default.isExecutableFile(atPath: directory + "/" + name) {
            return directory + "/" + name
        }
    }
    return nil
}

@Suite("Mail readers: forllm mail sync, maildir++, Dovecot, notmuch", .endToEnd)
struct MailReaderTests {
    static let dovecot = findProgram("dovecot")
    static let notmuch = findProgram("notmuch")
    static let python = findProgram("python3")

    @Test("mail sync delivers what was stored before, again delivers nothing; maildir++ layout; mail status")
    func syncIsIdempotent() async throws {
        let forum = try await MailForum(layout: "maildir++")
        defer { forum.cleanUp() }
        let general = forum.maildir + "/.forllm.general"

        let narrowed = try #require(try await forum.json("mail", "sync", "--group", "forllm.g*") as? [String: Any])
        #expect(narrowed["groups"] as? [String] == ["forllm.general"])
        #expect(narrowed["queued"] as? Int == 6)
        #expect(narrowed["delivered"] as? Int == 6)
        #expect(narrowed["pending"] as? Int == 0)
        #expect(narrowed["last_error"] is NSNull)
        #expect(try FileManager.default.contentsOfDirectory(atPath: general + "/new").count == 6)
        // maildir++: the root is a Maildir too, each group a .folder with maildirfolder.
        for name in ["cur", "new", "tmp"] {
            #expect(FileManager.default.fileExists(atPath: forum.maildir + "/" + name))
        }
        #expect(FileManager.default.fileExists(atPath: general + "/maildirfolder"))

        // The rest (the persona card of forllm.personas), then nothing.
        let all = try #require(try await forum.json("mail", "sync") as? [String: Any])
        #expect(all["queued"] as? Int == 1)
        #expect(all["delivered"] as? Int == 1)
        let again = try #require(try await forum.json("mail", "sync") as? [String: Any])
        #expect(again["queued"] as? Int == 0)
        #expect(again["delivered"] as? Int == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: general + "/new").count == 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: forum.maildir + "/.forllm.personas/new").count == 1)
        await #expect(
            try forum.forllm("mail", "sync").stdout.hasPrefix("delivered 0 articles (0 newly queued) in 3 groups to ")
        )

        let status = try #require(try await forum.json("mail", "status") as? [[String: Any]])
        let row = try #require(status.first { $0["group"] as? String == "forllm.general" })
        #expect(row["delivered"] as? Int == 6)
        #expect(row["pending"] as? Int == 0)
        #expect(row["removal_pending"] as? Int == 0)
        #expect(row["last_error"] is NSNull)
        #expect(row["maildir"] as? String == general)
        let table = try await forum.forllm("mail", "status").stdout.split(separator: "\n")
        #expect(table.first?.split(separator: " ") == ["GROUP", "DELIVERED", "PENDING", "REMOVING", "ERROR"])
        #expect(table.contains { $0.split(separator: " ") == ["forllm.general", "6", "0", "0"] }, "\(table)")

        // Mail off: a configuration error naming the key.
        let off = try await ForLLMProcess.run(["mail", "sync", "--config", forum.mailOff], in: forum.directory)
        #expect(off.status == 78)
        #expect(off.stderr.contains("mail.maildir"))
        let badGroups = try await ForLLMProcess.run(
            ["mail", "status", "--config", forum.config],
            in: forum.directory,
            environment: ["FORLLM_MAIL_LAYOUT": "mh"]
        )
        #expect(badGroups.status == 78)
        #expect(badGroups.stderr.contains("mail.layout"))
    }

    @Test(
        "Dovecot serves the Maildir over IMAP: a group is a folder, its messages the group's articles",
        .enabled(if: Self.dovecot != nil && Self.python != nil, "dovecot (Debian: dovecot-imapd) is not installed")
    )
    func dovecotIMAP() async throws {
        let forum = try await MailForum(layout: "maildir++")
        defer { forum.cleanUp() }
        _ = try await forum.forllm("mail", "sync")
        let dovecot = try #require(Self.dovecot)
        let python = try #require(Self.python)

        // A Dovecot of our own: its files in the test directory, listening on a free port of
        // 127.0.0.1, one user from a passwd-file. As root (CI), Dovecot refuses to run its
        // processes as root: the login process runs as dovenull, mail as nobody (who gets the
        // Maildir); otherwise everything runs as the current user.
        let home = forum.directory.path + "/dovecot"
        try FileManager.default.createDirectory(atPath: home + "/run", withIntermediateDirectories: true)
        let isRoot = geteuid() == 0
        let user = String(cString: getpwuid(geteuid()).pointee.pw_name)
        let group = String(cString: getgrgid(getegid()).pointee.gr_name)
        var mailUID = geteuid()
        var mailGID = getegid()
        if isRoot {
            mailUID = 65534
            mailGID = 65534
            _ = try await runProgram("/bin/chown", ["-R", "65534:65534", forum.maildir])
        }
        let port = try freePort()
        try "reader:{PLAIN}secret::::::\n".write(toFile: home + "/passwd", atomically: true, encoding: .utf8)
        try """
        protocols = imap
        listen = 127.0.0.1
        base_dir = \(home)/run
        state_dir = \(home)/state
        log_path = \(home)/dovecot.log
        ssl = no
        disable_plaintext_auth = no
        auth_mechanisms = plain
        default_internal_user = \(isRoot ? "dovecot" : user)
        default_internal_group = \(isRoot ? "dovecot" : group)
        default_login_user = \(isRoot ? "dovenull" : user)
        first_valid_uid = 1
        mail_location = maildir:\(forum.maildir)
        passdb {
          driver = passwd-file
          args = scheme=PLAIN username_format=%u \(home)/passwd
        }
        userdb {
          driver = static
          args = uid=\(mailUID) gid=\(mailGID) home=\(forum.maildir)
        }
        service imap-login {
          chroot =
          inet_listener imap {
            address = 127.0.0.1
            port = \(port)
          }
          inet_listener imaps {
            port = 0
          }
        }
        service anvil {
          chroot =
        }
        """.write(toFile: home + "/dovecot.conf", atomically: true, encoding: .utf8)
        // Started through python3 with an empty signal mask: Foundation's Process starts its
        // children with signals blocked, and Dovecot's processes would then never stop on
        // SIGTERM (the master waits forever for an auth process "ignoring idle SIGINT").
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = [
            "-c",
            "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                + "signal.signal(signal.SIGPIPE, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
            dovecot, "-F", "-c", home + "/dovecot.conf"
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        let running = try ChildProcess(starting: server)

        // imaplib, as a script of a mail user would. Dovecot gives no sign that it listens
        // but the port: the client retries connecting, for 20 s at most.
        let script = """
            import imaplib, json, sys, time
            deadline = time.time() + 20
            while True:
                try:
                    imap = imaplib.IMAP4("127.0.0.1", \(port))
                    break
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)
            imap.login("reader", "secret")
            _, folders = imap.list()
            _, count = imap.select("forllm.general", readonly=True)
            _, data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT LIST-ID)])")
            headers = [part[1].decode() for part in data if isinstance(part, tuple)]
            imap.logout()
            json.dump({"folders": [f.decode() for f in folders], "count": int(count[0]), "headers": headers}, sys.stdout)
            """
        let run: (status: Int32, stdout: String, stderr: String)
        do {
            run = try await runProgram(python, ["-c", script])
        } catch {
            await running.terminate()
            throw error
        }
        await running.terminate()
        let log = (try? String(contentsOfFile: home + "/dovecot.log", encoding: .utf8)) ?? ""
        try #require(run.status == 0, "imaplib: \(run.stderr)\ndovecot log:\n\(log)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let folders = try #require(result["folders"] as? [String])
        #expect(
            folders.contains { $0.hasSuffix("\"forllm.general\"") || $0.hasSuffix(" forllm.general") },
            "\(folders)"
        )
        #expect(
            folders.contains { $0.hasSuffix("\"forllm.personas\"") || $0.hasSuffix(" forllm.personas") },
            "\(folders)"
        )
        #expect(result["count"] as? Int == 6)
        let headers = try #require(result["headers"] as? [String])
        #expect(headers.count == 6)
        #expect(headers.allSatisfy { $0.contains("List-Id: <forllm.general.forllm.local>") })
        let subjects = headers.compactMap { $0.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") } }
        #expect(
            subjects.map { String($0.dropFirst(9)) }.sorted() == [
                "Bread", "Knives", "Re: Bread", "Re: Bread", "Re: Knives", "Salt"
            ]
        )
    }

    @Test(
        "notmuch indexes the Maildir and its threads are the forum's threads",
        .enabled(if: Self.notmuch != nil, "notmuch is not installed (Debian: notmuch)")
    )
    func notmuchThreads() async throws {
        let forum = try await MailForum(layout: "plain")
        defer { forum.cleanUp() }
        _ = try await forum.forllm("mail", "sync")
        let notmuch = try #require(Self.notmuch)
        let config = forum.directory.path + "/notmuch-config"
        try """
        [database]
        path=\(forum.maildir)
        [user]
        name=Jane
        primary_email=jane@example.org
        [new]
        tags=unread;inbox;
        [maildir]
        synchronize_flags=true
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let environment = ["NOTMUCH_CONFIG": config, "HOME": forum.directory.path]
        let indexed = try await runProgram(notmuch, ["new"], environment: environment)
        try #require(indexed.status == 0, "notmuch new: \(indexed.stderr)")

        let listed = try await runProgram(
            notmuch,
            ["search", "--format=json", "--output=threads", "*"],
            environment: environment
        )
        try #require(listed.status == 0, "\(listed.stderr)")
        let threadIDs = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String])
        var threads: Set<Set<String>> = []
        for thread in threadIDs {
            let messages = try await runProgram(
                notmuch,
                ["search", "--format=json", "--output=messages", "thread:\(thread)"],
                environment: environment
            )
            let ids = try #require(try JSONSerialization.jsonObject(with: Data(messages.stdout.utf8)) as? [String])
            threads.insert(Set(ids))
        }
        let expected = try await forum.threads()
        #expect(threads.count == 4)  // three threads in forllm.general, the persona card
        #expect(threads == expected)
    }
}

/// A port of 127.0.0.1 that nobody listens on right now (for Dovecot, which binds it itself).
func freePort() throws -> Int {
    let closed = try ClosedPort()
    defer { closed.release() }
    return closed.port
}
