import FORLLMApp
import FORLLMForum
@testable import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Logging
import Testing

/// Hooks: real programs with the event on stdin, a time limit, failures logged and nothing
/// else; and the worker's answer reaching a hook.
@Suite("Hooks", .endToEnd)
struct HookTests {
    /// A script in `directory`, executable.
    static func script(_ directory: TestDirectory, _ name: String, _ text: String) throws -> String {
        let path = directory.path + "/" + name
        try ("#!/bin/sh\n" + text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    static let logger = Logger(label: "hooks", factory: { _ in SwiftLogNoOpLogHandler() })

    static func event(_ kind: ForumEvent.Kind = .answer, request: Int64 = 7) -> ForumEvent {
        ForumEvent(
            event: kind,
            requestId: request,
            persona: "assistant",
            model: "llama3.2",
            groups: ["forllm.general"],
            messageId: "<answer@x>",
            inReplyTo: "<ask@x>",
            subject: "Re: Hi",
            date: Date(timeIntervalSince1970: 1_800_000_000)
        )
    }

    @Test("a hook gets the event as JSON on stdin; its output is kept")
    func stdin() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let out = directory.path + "/event.json"
        let path = try Self.script(directory, "save.sh", "cat > \"$1\"\necho saved")
        let runner = try #require(
            HookRunner([HookConfiguration(on: .answer, run: [path, out])], events: ForumEventBus(), logger: Self.logger)
        )
        let outcomes = runner.outcomes()
        runner.handle(Self.event(.posted))  // no hook on posted
        runner.handle(Self.event())
        var iterator = outcomes.makeAsyncIterator()
        let outcome = try #require(await iterator.next())
        #expect(outcome.result == .exited(0))
        #expect(outcome.stdout == "saved")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
        )
        #expect(json["event"] as? String == "answer")
        #expect(json["request_id"] as? Int == 7)
        #expect(json["persona"] as? String == "assistant")
        #expect(json["message_id"] as? String == "<answer@x>")
        #expect(json["in_reply_to"] as? String == "<ask@x>")
    }

    @Test("a hook past its time limit is killed; one that exits 1 or does not exist is only logged")
    func failures() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let sleeper = try Self.script(directory, "sleep.sh", "exec sleep 30")
        let failing = try Self.script(directory, "fail.sh", "echo broken >&2\nexit 1")
        let runner = try #require(
            HookRunner(
                [
                    HookConfiguration(on: .answer, run: [sleeper], timeout: .seconds(1)),
                    HookConfiguration(on: .failed, run: [failing]),
                    HookConfiguration(on: .posted, run: [directory.path + "/missing"])
                ],
                events: ForumEventBus(),
                logger: Self.logger,
                concurrency: 3
            )
        )
        let outcomes = runner.outcomes()
        let start = ContinuousClock.now
        runner.handle(Self.event(.answer))
        runner.handle(Self.event(.failed))
        runner.handle(Self.event(.posted))
        var results: [ForumEvent.Kind: HookRunner.Outcome] = [:]
        for await outcome in outcomes {
            results[outcome.event.event] = outcome
            if results.count == 3 { break }
        }
        #expect(results[.answer]?.result == .timedOut)
        // Killed, not waited for: the script sleeps 30 s (the margin is for a machine under load).
        #expect(ContinuousClock.now - start < .seconds(25))
        #expect(results[.failed]?.result == .exited(1))
        #expect(results[.failed]?.stderr == "broken")
        guard case .notStarted(let reason) = results[.posted]?.result else {
            Issue.record("a missing program: \(String(describing: results[.posted]))")
            return
        }
        #expect(reason.contains("missing"))
    }

    @Test("beyond the queue's limit a hook is dropped, never waited for")
    func dropped() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let sleeper = try Self.script(directory, "sleep.sh", "exec sleep 30")
        let runner = try #require(
            HookRunner(
                [HookConfiguration(on: .answer, run: [sleeper], timeout: .seconds(1))],
                events: ForumEventBus(),
                logger: Self.logger,
                concurrency: 1,
                queueLimit: 1
            )
        )
        let outcomes = runner.outcomes()
        for request in Int64(1)...3 { runner.handle(Self.event(request: request)) }
        var results: [Int64: HookRunner.Outcome.Result] = [:]
        for await outcome in outcomes {
            results[outcome.event.requestId ?? 0] = outcome.result
            if results.count == 3 { break }
        }
        #expect(results == [1: .timedOut, 2: .timedOut, 3: .dropped])
    }

    @Test("hooks: in the file: on, run as a list, timeout; wrong entries name the key")
    func configuration() throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        func load(_ yaml: String) throws -> FORLLMConfiguration {
            let path = directory.path + "/forllm.yaml"
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            return try FORLLMConfiguration.load(
                ConfigurationSources(configPath: path, environment: [:], defaultConfigPath: "/nonexistent/forllm.yaml")
            )
        }
        let configuration = try load(
            """
            hooks:
              - on: answer
                run: [notify-send, FORLLM, "an answer arrived"]
                timeout: 5
              - on: posted
                run: /usr/local/bin/tell
            """
        )
        #expect(
            configuration.hooks == [
                HookConfiguration(
                    on: .answer,
                    run: ["notify-send", "FORLLM", "an answer arrived"],
                    timeout: .seconds(5)
                ),
                HookConfiguration(on: .posted, run: ["/usr/local/bin/tell"])
            ]
        )
        #expect(try load("").hooks.isEmpty)
        for (yaml, message) in [
            (
                "hooks:\n  - on: answred\n    run: [x]\n",
                "hooks[0].on: 'answred' is not an event (one of: answer, failed, posted)"
            ),
            ("hooks:\n  - on: answer\n", "hooks[0].run: every hook needs a command"),
            (
                "hooks:\n  - on: answer\n    run: [x]\n    timeout: 0\n",
                "hooks[0].timeout: '0' is not a number of seconds"
            ),
            ("hooks:\n  - on: answer\n    command: [x]\n", "hooks[0].command: unknown key (known: on, run, timeout)")
        ] {
            #expect {
                try load(yaml)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }

    @Test("end to end: a post and the worker's answer run their hooks with the event on stdin")
    func endToEnd() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let save = try Self.script(directory, "save.sh", "cat > \"$1\"")
        try await LLMStubServer(.ollama).run { stub in
            var configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, await stub.baseURL)]
            )
            configuration.hooks = [
                HookConfiguration(on: .posted, run: [save, directory.path + "/posted.json"]),
                HookConfiguration(on: .answer, run: [save, directory.path + "/answer.json"]),
                HookConfiguration(on: .failed, run: ["/nonexistent/hook"])
            ]
            let app = try await RunningApp.start(configuration)
            let runner = try #require(app.assembly.hooks)
            let outcomes = runner.outcomes()
            let client = try await app.connect()
            #expect(
                try await client.postArticle(
                    """
                    From: Jane <jane@example.org>
                    Newsgroups: forllm.general
                    Subject: Hooks?
                    Message-ID: <hook@x.example>

                    Do hooks run?
                    """
                ).code == 240
            )
            var seen: [ForumEvent.Kind: HookRunner.Outcome] = [:]
            for await outcome in outcomes {
                seen[outcome.event.event] = outcome
                if seen.count == 2 { break }
            }
            #expect(seen[.posted]?.result == .exited(0))
            #expect(seen[.answer]?.result == .exited(0))
            func json(_ name: String) throws -> [String: Any] {
                let data = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + name))
                return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            }
            let posted = try json("posted.json")
            #expect(posted["event"] as? String == "posted")
            #expect(posted["message_id"] as? String == "<hook@x.example>")
            #expect(posted["subject"] as? String == "Hooks?")
            #expect(posted["from"] as? String == "Jane <jane@example.org>")
            let requestID = try #require((posted["request_ids"] as? [Int])?.first)
            let answer = try json("answer.json")
            #expect(answer["event"] as? String == "answer")
            #expect(answer["request_id"] as? Int == requestID)
            #expect(answer["persona"] as? String == "assistant")
            #expect(answer["in_reply_to"] as? String == "<hook@x.example>")
            #expect(answer["subject"] as? String == "Re: Hooks?")
            #expect(answer["groups"] as? [String] == ["forllm.general"])
            // The request is done whatever the hooks did.
            #expect(try await app.waitForRequest(Int64(requestID)).status == .done)
            try await client.close()
            try await app.stop()
        }
    }
}
