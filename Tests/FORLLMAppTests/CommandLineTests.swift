import FORLLMTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `forllm` executable as a user runs it: a real process, its exit status, its standard
/// output and error, over a real database file in a fresh directory.
@Suite("forllm command line", .endToEnd)
struct CommandLineTests {
    @Test("a bad configuration stops with one line naming the key and exit status 78")
    func badConfiguration() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let cases: [(file: String, key: String)] = [
            ("sever:\n  listen: 127.0.0.1:1119\n", "sever: unknown key"),
            ("server:\n  listen: localhost\n", "server.listen:"),
            ("server:\n  hostname: localhost\n", "server.hostname:"),
            ("llm:\n  max_attempts: many\n", "llm.max_attempts:"),
            ("backends:\n  - name: gpu\n    type: tensorflow\n", "backends[0].type:"),
            ("backends:\n  - name: gpu\n    fallback: cpu\n", "backends[0].fallback:"),
            ("backends:\n  - name: gpu\n    api_key_env: FORLLM_TEST_UNSET_KEY\n", "backends[0].api_key_env:"),
            ("llm:\n  default_backend: gpu\n", "llm.default_backend:"),
            ("server: [1, 2\n", "not valid YAML: line 2, column 1: did not find expected"),
            ("server:\n  listen: a\n  listen: b\n", "not valid YAML: line 2: duplicate key listen")
        ]
        for (index, item) in cases.enumerated() {
            let path = directory.path + "/bad\(index).yaml"
            try item.file.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try await ForLLMProcess.run(["serve", "--config", path], in: directory)
            #expect(result.status == 78, "\(item.file)")
            #expect(result.stderr.hasPrefix("forllm: configuration error: "), "\(item.file)")
            #expect(result.stderr.contains(item.key), "\(item.file): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        // Nothing was started or created.
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/forllm_data.db"))

        let badListen = try await ForLLMProcess.run(["serve", "--listen", "127.0.0.1:99999"], in: directory)
        #expect(badListen.status == 78)
        #expect(badListen.stderr.contains("server.listen: '99999' is not a port number"))
        let badEnvironment = try await ForLLMProcess.run(
            ["group", "list"],
            in: directory,
            environment: ["FORLLM_LLM_CONTEXT_CHARS": "lots"]
        )
        #expect(badEnvironment.status == 78)
        #expect(badEnvironment.stderr.contains("llm.context_chars"))
        let missing = try await ForLLMProcess.run(
            ["group", "list", "--config", directory.path + "/none.yaml"],
            in: directory
        )
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("configuration file not found"))
    }

    @Test("serve with no configuration: the default database and groups, ready on the port, stopped by SIGTERM")
    func serveDefaults() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let server = try ForLLMProcess.start(["serve", "--listen", "127.0.0.1:0"], in: directory)
        let ready = try await server.waitForStandardError(containing: "FORLLM is ready")
        let port = try #require(
            ready.range(of: "url=nntp://127.0.0.1:").map { ready[$0.upperBound...].prefix { $0.isNumber } }
        )
        let client = try await NNTPTestClient.connect(port: try #require(Int(port)))
        #expect(try await client.readStatus().code == 200)
        let list = try await client.command("LIST ACTIVE")
        #expect(list.code == 215)
        let groups = try await client.readMultiline().map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(groups.sorted() == ["forllm.general", "forllm.personas", "forllm.search", "forllm.status"])
        try await client.close()
        #expect(FileManager.default.fileExists(atPath: directory.path + "/forllm_data.db"))

        // The CLI works on the database of the running server.
        let created = try await ForLLMProcess.run(
            ["group", "create", "forllm.cooking", "--mode", "auto"],
            in: directory
        )
        #expect(created.status == 0, "\(created.stderr)")
        let again = try await NNTPTestClient.connect(port: try #require(Int(port)))
        #expect(try await again.readStatus().code == 200)
        let group = try await again.command("GROUP forllm.cooking")
        #expect(group.code == 211)
        try await again.close()

        kill(server.process.processIdentifier, SIGTERM)
        let status = await server.waitForExit()
        #expect(status == 0)
        #expect(server.standardError().contains("Worker stopped"))
    }

    @Test("group, post, queue, schedule and persona subcommands, in text and --json")
    func adminCommands() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        func forllm(_ arguments: String..., input: String? = nil) async throws -> ForLLMProcess.Result {
            let result = try await ForLLMProcess.run(arguments, in: directory, input: input)
            #expect(result.status == 0, "forllm \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        func json(_ arguments: String...) async throws -> Any {
            let result = try await ForLLMProcess.run(arguments + ["--json"], in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        }

        _ = try await forllm("migrate")
        // Groups
        await #expect(
            try forllm("group", "create", "forllm.cooking", "--description", "Food", "--mode", "request").stdout
                == "created group forllm.cooking (mode request)\n"
        )
        let duplicate = try await ForLLMProcess.run(["group", "create", "forllm.cooking"], in: directory)
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("forllm.cooking"))
        let badName = try await ForLLMProcess.run(["group", "create", "Cooking!"], in: directory)
        #expect(badName.status == 1)
        #expect(badName.stderr.hasPrefix("forllm: "))
        let groups = try #require(try await json("group", "list") as? [[String: Any]])
        #expect(
            groups.compactMap { $0["name"] as? String }.sorted() == [
                "forllm.cooking", "forllm.general", "forllm.personas", "forllm.search", "forllm.status"
            ]
        )
        let cooking = try #require(groups.first { $0["name"] as? String == "forllm.cooking" })
        #expect(cooking["mode"] as? String == "request")
        #expect(cooking["description"] as? String == "Food")
        #expect(cooking["posting_allowed"] as? Bool == true)
        _ = try await forllm("group", "edit", "forllm.cooking", "--mode", "auto", "--model", "qwen2.5")
        let shown = try #require(try await json("group", "show", "forllm.cooking") as? [String: Any])
        #expect(shown["mode"] as? String == "auto")
        #expect(shown["default_model"] as? String == "qwen2.5")
        let badBackend = try await ForLLMProcess.run(
            ["group", "edit", "forllm.cooking", "--backend", "gpu"],
            in: directory
        )
        #expect(badBackend.status == 1)
        #expect(badBackend.stderr.contains("no backend named gpu (configured: ollama)"))

        // Personas
        _ = try await forllm(
            "persona",
            "create",
            "Chef Anna",
            "--handle",
            "chef",
            "--instructions",
            "You are Chef Anna."
        )
        _ = try await forllm("persona", "edit", "chef", "--instructions", "You are Chef Anna, a patient cook.")
        _ = try await forllm("persona", "assign", "forllm.cooking", "chef", "--default")
        let personas = try #require(try await json("persona", "list") as? [[String: Any]])
        #expect(personas.compactMap { $0["handle"] as? String }.sorted() == ["assistant", "chef"])
        let history = try #require(try await json("persona", "history", "chef") as? [[String: Any]])
        #expect(history.count == 2)

        // Posting queues a request for the group's default persona; the queue shows it.
        let posted = try await forllm(
            "post",
            "--group",
            "forllm.cooking",
            "--subject",
            "Knife skills",
            "--from",
            "Jane <jane@example.org>",
            input: "How do I hold a chef's knife?\n"
        )
        #expect(posted.stdout.hasPrefix("posted <"))
        #expect(posted.stdout.contains("forllm.cooking:1"))
        #expect(posted.stdout.contains("queued request 1"))
        let queue = try #require(try await json("queue", "list") as? [[String: Any]])
        let request = try #require(queue.first)
        #expect(queue.count == 1)
        for key in [
            "id", "status", "persona", "model", "backend", "group", "message_id", "attempts", "error", "progress_chars"
        ] {
            #expect(request.keys.contains(key), "missing \(key)")
        }
        #expect(request["backend"] is NSNull)
        #expect(request["error"] is NSNull)
        #expect(request["id"] as? Int == 1)
        #expect(request["status"] as? String == "pending")
        #expect(request["persona"] as? String == "chef")
        #expect(request["model"] as? String == "qwen2.5")
        #expect(request["group"] as? String == "forllm.cooking")
        #expect((request["message_id"] as? String)?.hasPrefix("<") == true)
        #expect(request["attempts"] as? Int == 0)
        #expect(request["progress_chars"] as? Int == 0)
        #expect(try await forllm("queue", "cancel", "1").stdout == "request 1 cancelled\n")
        let cancelled = try #require(try await json("queue", "list", "--status", "cancelled") as? [[String: Any]])
        #expect(cancelled.count == 1)
        #expect(try await forllm("queue", "retry", "1").stdout == "request 1 is pending again\n")
        #expect(try await forllm("queue", "show", "1").stdout.contains("status:    pending"))
        let unknown = try await ForLLMProcess.run(["queue", "show", "99"], in: directory)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("99"))
        let badRequest = try await ForLLMProcess.run(
            ["post", "--group", "forllm.general", "--subject", "x", "--request", "alice;; model"],
            in: directory,
            input: "x\n"
        )
        #expect(badRequest.status == 1)
        #expect(badRequest.stderr.hasPrefix("forllm: "))

        // Schedule
        let empty = try #require(try await json("schedule", "status") as? [String: Any])
        #expect(empty["active"] as? Bool == true)
        #expect(empty["next_start"] is NSNull)
        await #expect(
            try forllm("schedule", "add", "--days", "mon,tue,wed,thu,fri,sat,sun", "--start", "22:00", "--end", "06:00")
                .stdout.contains("passes midnight")
        )
        let windows = try #require(try await json("schedule", "list") as? [[String: Any]])
        #expect(windows.count == 1)
        #expect(windows.first?["start"] as? String == "22:00")
        #expect(windows.first?["end"] as? String == "06:00")
        let status = try #require(try await json("schedule", "status") as? [String: Any])
        #expect(status["active"] is Bool)
        // Every day from 22:00: the next start is at most a day away, at 22:00 local time.
        let next = try #require(status["next_start"] as? String)
        #expect(ISO8601DateFormatter().date(from: next) != nil)
        #expect(next.contains("T22:00:00"))
        _ = try await forllm("schedule", "disable", "1")
        let disabled = try #require(try await json("schedule", "status") as? [String: Any])
        #expect(disabled["active"] as? Bool == true)
        let badTime = try await ForLLMProcess.run(
            ["schedule", "add", "--days", "mon", "--start", "25:00", "--end", "06:00"],
            in: directory
        )
        #expect(badTime.status == 1)
        #expect(badTime.stderr.contains("25:00"))
        let badDays = try await ForLLMProcess.run(
            ["schedule", "add", "--days", "someday", "--start", "20:00", "--end", "06:00"],
            in: directory
        )
        #expect(badDays.status == 1)
        #expect(badDays.stderr.contains("someday"))
        _ = try await forllm("schedule", "remove", "1")
        #expect(try await forllm("schedule", "list").stdout == "no windows: the worker may run at any time\n")
    }
}

extension CommandLineTests {
    @Test("serve says why it cannot start: the address is taken, the database cannot be opened")
    func startFailures() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { taken in
            let port = await taken.port
            let busy = try await ForLLMProcess.run(
                ["serve", "--listen", "127.0.0.1:\(port)", "--log-level", "error"],
                in: directory
            )
            #expect(busy.status == 1)
            #expect(
                busy.stderr.contains(
                    "forllm: cannot listen on 127.0.0.1:\(port): Address already in use; another server listens there"
                ),
                "\(busy.stderr)"
            )
            // The worker, stopped because the server could not start, is not an error of its own.
            #expect(!busy.stderr.contains("CancellationError"), "\(busy.stderr)")
        }
        let missing = try await ForLLMProcess.run(
            ["serve", "--database", directory.path + "/no/such/dir/x.db"],
            in: directory
        )
        #expect(missing.status == 1)
        #expect(
            missing.stderr.contains(
                "cannot open the database \(directory.path)/no/such/dir/x.db: unable to open database file (the directory \(directory.path)/no/such/dir does not exist)"
            ),
            "\(missing.stderr)"
        )
        try "not a database, a text file".write(toFile: directory.path + "/text.db", atomically: true, encoding: .utf8)
        let text = try await ForLLMProcess.run(["group", "list", "--database", "text.db"], in: directory)
        #expect(text.status == 1)
        #expect(text.stderr == "forllm: cannot open the database text.db: file is not a database\n")
    }

    @Test("forllm models: every backend's models, and which backend does not answer")
    func models() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let ollama = LLMStubServer(
            .ollama,
            models: [.init(name: "llama3.2:latest", sizeBytes: 2_019_393_189), .init(name: "qwen2.5:7b")]
        )
        let openai = LLMStubServer(.openai, models: [.init(name: "smollm2")])
        try await ollama.start()
        try await openai.start()
        let dead = try ClosedPort()
        defer { dead.release() }
        let closed = dead.port
        let config = directory.path + "/forllm.yaml"
        try """
        backends:
          - name: gpu
            url: \(await ollama.baseURL)
          - name: cpu
            type: openai
            url: \(await openai.baseURL)
          - name: off
            url: http://127.0.0.1:\(closed)
        llm:
          default_backend: gpu
        """.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try await ForLLMProcess.run(["migrate"], in: directory).status == 0)
        let json = try await ForLLMProcess.run(["models", "--json", "--config", config], in: directory)
        #expect(json.status == 0, "\(json.stderr)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(items.compactMap { $0["backend"] as? String } == ["gpu", "cpu", "off"])
        #expect(items.map { $0["reachable"] as? Bool } == [true, true, false])
        let gpuModels = (items[0]["models"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(gpuModels == ["llama3.2:latest", "qwen2.5:7b"])
        #expect((items[1]["models"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["smollm2"])
        #expect(items[0]["error"] is NSNull)
        #expect((items[2]["error"] as? String)?.contains("refused") == true, "\(items[2])")
        let text = try await ForLLMProcess.run(["models", "--config", config], in: directory)
        #expect(text.status == 0)
        #expect(text.stdout.contains("llama3.2:latest"))
        #expect(text.stdout.contains("default model"))
        #expect(text.stdout.contains("unreachable"))
        await ollama.shutdown()
        await openai.shutdown()
    }
}

extension CommandLineTests {
    @Test(
        "forllm post and persona create/edit check models as NNTP POST does; no command but serve and migrate creates a database"
    )
    func checksLikePost() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        // A database that does not exist is named, not created.
        for arguments in [["group", "list"], ["persona", "stats"], ["queue", "list", "--database", "typo.db"]] {
            let missing = try await ForLLMProcess.run(arguments, in: directory)
            #expect(missing.status == 1)
            #expect(missing.stderr.hasPrefix("forllm: no database at "), "\(missing.stderr)")
            #expect(missing.stderr.contains("forllm migrate"))
        }
        let sendmail = try await ForLLMProcess.run(
            ["sendmail", "forllm.general@forllm.local"],
            in: directory,
            input: "x\n"
        )
        #expect(sendmail.status == 75)
        #expect(sendmail.stderr.contains("no database at"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/forllm_data.db"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/typo.db"))

        let ollama = LLMStubServer(.ollama, models: [.init(name: "llama3.2:latest")])
        try await ollama.start()
        let config = directory.path + "/forllm.yaml"
        try """
        backends:
          - name: gpu
            url: \(await ollama.baseURL)
        llm:
          default_backend: gpu
        """.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try await ForLLMProcess.run(["migrate", "--config", config], in: directory).status == 0)

        let post = try await ForLLMProcess.run(
            [
                "post", "--config", config, "--group", "forllm.general", "--subject", "Hi", "--request",
                "default; model=lama3"
            ],
            in: directory,
            input: "Hello\n"
        )
        #expect(post.status == 1)
        #expect(
            post.stderr.contains(
                "X-FORLLM-Request: model 'lama3' is not offered by any backend (available: llama3.2:latest (gpu))"
            ),
            "\(post.stderr)"
        )
        let typo = try await ForLLMProcess.run(
            ["post", "--config", config, "--group", "forllm.general", "--subject", "Hi"],
            in: directory,
            input: "What do you think, @asistant?\n"
        )
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("@asistant: no persona with that handle (known: @assistant)"), "\(typo.stderr)")
        let fine = try await ForLLMProcess.run(
            [
                "post", "--config", config, "--group", "forllm.general", "--subject", "Hi", "--request",
                "default; model=llama3.2"
            ],
            in: directory,
            input: "Hello\n"
        )
        #expect(fine.status == 0, "\(fine.stderr)")

        let persona = try await ForLLMProcess.run(
            ["persona", "create", "Chef", "--config", config, "--instructions", "Cook.", "--model", "qwen9"],
            in: directory
        )
        #expect(persona.status == 1)
        #expect(persona.stderr.contains("--model: model 'qwen9' is not offered by any backend"), "\(persona.stderr)")
        #expect(
            try await ForLLMProcess.run(
                ["persona", "create", "Chef", "--config", config, "--instructions", "Cook.", "--model", "llama3.2"],
                in: directory
            ).status == 0
        )
        let card = try await ForLLMProcess.run(
            ["post", "--config", config, "--group", "forllm.personas", "--subject", "persona: Baker"],
            in: directory,
            input: "Model: qwen9\n\nYou are Baker.\n"
        )
        #expect(card.status == 1)
        #expect(card.stderr.contains("Model: model 'qwen9' is not offered by any backend"), "\(card.stderr)")
        let edit = try await ForLLMProcess.run(
            ["persona", "edit", "chef", "--config", config, "--model", "qwen9"],
            in: directory
        )
        #expect(edit.status == 1)
        await ollama.shutdown()
    }
}

extension CommandLineTests {
    @Test("every argument and option of every command has help; discussions are paragraphs the terminal wraps")
    func helpTexts() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let dump = try await ForLLMProcess.run(["--experimental-dump-help"], in: directory)
        #expect(dump.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var commands = 0
        func walk(_ command: [String: Any], _ path: String) {
            commands += 1
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                guard argument["shouldDisplay"] as? Bool ?? true, path != "forllm help" else { continue }
                let name = (argument["valueName"] as? String) ?? "?"
                #expect(!((argument["abstract"] as? String) ?? "").isEmpty, "\(path): <\(name)> has no help")
            }
            // A line break inside a paragraph (the next line starts with a letter, the line
            // does not end a heading) is a hand wrap: the terminal's wrap then makes it ragged.
            let lines = ((command["discussion"] as? String) ?? "").split(
                separator: "\n",
                omittingEmptySubsequences: false
            )
            for (line, next) in zip(lines, lines.dropFirst()) {
                let continues = next.first.map { $0.isLetter } ?? false
                #expect(
                    !(continues && !line.isEmpty && !line.hasSuffix(":")),
                    "\(path): hand-wrapped discussion at '\(line)'"
                )
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path + " " + ((sub["commandName"] as? String) ?? "?"))
            }
        }
        walk(try #require(root["command"] as? [String: Any]), "forllm")
        #expect(commands > 40)
    }
}

/// Runs the `forllm` executable that `swift build` put beside the test bundle.
struct ForLLMProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: URL {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            // macOS runs tests from inside the .xctest bundle.
            while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS"
                || directory.lastPathComponent == "Contents"
            {
                directory.deleteLastPathComponent()
            }
            let url = directory.appendingPathComponent("forllm")
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw TestAppError(message: "no forllm executable at \(url.path); run `swift build` first")
            }
            return url
        }
    }

    /// The environment the process gets: this one without FORLLM_* settings, plus `extra`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FORLLM_") }
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Runs `forllm arguments` in `directory` to its end, on a thread of its own: waiting for a
    /// process must not hold a thread of the cooperative pool, which the servers and stubs of
    /// the tests running beside it need (with two cores the pool has two threads).
    static func run(
        _ arguments: [String],
        in directory: TestDirectory,
        environment: [String: String] = [:],
        input: String? = nil
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Swift.Result {
                        try Self.runBlocking(arguments, in: directory, environment: environment, input: input)
                    }
                )
            }.start()
        }
    }

    /// ``run(_:in:environment:input:)`` on the calling thread, for the rare test that must hold
    /// something (a database lock) for exactly as long as the process runs.
    static func runBlocking(
        _ arguments: [String],
        in directory: TestDirectory,
        environment: [String: String] = [:],
        input: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = try Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.environment = Self.environment(environment)
        let files = try OutputFiles()
        files.attach(to: process)
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        let (stdout, stderr) = files.read()
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// A process running in the background, its standard error collected as it comes.
    final class Running {
        let process: Process
        private let lines: AsyncStream<String>
        private let collected: Collected
        private let child: ChildProcess

        final class Collected: @unchecked Sendable {
            // Guarded by `lock`: appended by the reading thread, read by the test.
            private let lock = NSLock()
            private var text = ""
            func append(_ more: String) { self.lock.withLock { self.text += more } }
            var value: String { self.lock.withLock { self.text } }
        }

        /// Starts `process`, whose standard error is `pipe`.
        init(starting process: Process, pipe: Pipe) throws {
            self.process = process
            let collected = Collected()
            self.collected = collected
            let (lines, continuation) = AsyncStream<String>.makeStream()
            self.lines = lines
            let handle = pipe.fileHandleForReading
            self.child = try ChildProcess(starting: process)
            // A thread of its own: reading a pipe blocks.
            Thread.detachNewThread {
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    let text = String(decoding: data, as: UTF8.self)
                    collected.append(text)
                    continuation.yield(text)
                }
                continuation.finish()
            }
        }

        /// Waits until standard error holds `occurrences` lines with `marker`; returns the last
        /// of them.
        func waitForStandardError(
            containing marker: String,
            occurrences: Int = 1,
            timeout: Duration = .seconds(30)
        ) async throws -> String {
            let collected = self.collected
            let lines = self.lines
            do {
                return try await withTimeout(timeout, waitingFor: marker) {
                    func found() -> String? {
                        let matching = collected.value.split(separator: "\n").filter { $0.contains(marker) }
                        return matching.count >= occurrences ? matching.last.map(String.init) : nil
                    }
                    if let line = found() { return line }
                    for await _ in lines {
                        if let line = found() { return line }
                    }
                    return nil
                }
            } catch is TestTimeout {
                throw TestAppError(message: "no '\(marker)' on standard error: \(collected.value)")
            }
        }

        func standardError() -> String { self.collected.value }

        func waitForExit() async -> Int32 {
            await self.child.exitStatus()
        }
    }

    static func start(
        _ arguments: [String],
        in directory: TestDirectory,
        environment: [String: String] = [:]
    ) throws
        -> Running
    {
        let process = Process()
        process.executableURL = try Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.environment = Self.environment(environment)
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        return try Running(starting: process, pipe: pipe)
    }
}
