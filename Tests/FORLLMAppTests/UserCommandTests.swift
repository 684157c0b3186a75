import FORLLMApp
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import NewsArticle
import Testing

/// `forllm user` as an administrator runs it, and what the users it makes can do over NNTP.
@Suite("Users: forllm user and logging in", .endToEnd(timeLimit: .seconds(120)))
struct UserCommandTests {
    func forllm(
        _ arguments: [String],
        in directory: TestDirectory,
        password: String? = nil
    ) async throws -> ForLLMProcess.Result {
        try await ForLLMProcess.run(
            arguments + ["--database", directory.databasePath],
            in: directory,
            environment: password.map { ["FORLLM_USER_PASSWORD": $0] } ?? [:]
        )
    }

    @Test("add, list, passwd, remove; the password never from an argument, refusals with the reason")
    func commands() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await directory.migrate()
        let added = try await self.forllm(
            ["user", "add", "Jane", "--from", "Jane Doe <jane@example.org>", "--from", "jd@example.net"],
            in: directory,
            password: "correct horse"
        )
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.hasPrefix("added user jane: posts as jane@example.org, jd@example.net"))
        let listed = try await self.forllm(["user", "list", "--json"], in: directory)
        #expect(listed.stdout.contains("\"name\" : \"jane\""))
        #expect(listed.stdout.contains("\"jd@example.net\""))
        #expect(!listed.stdout.contains("scrypt"), "the hash is not shown")

        let noPassword = try await self.forllm(["user", "add", "bob"], in: directory)
        #expect(noPassword.status == 1)
        #expect(noPassword.stderr.contains("set FORLLM_USER_PASSWORD"))
        let short = try await self.forllm(["user", "add", "bob"], in: directory, password: "short")
        #expect(short.status == 1)
        #expect(short.stderr.contains("shorter than 8"))
        let taken = try await self.forllm(["user", "add", "JANE"], in: directory, password: "another one")
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("a user named jane exists already"))
        let passwordArgument = try await self.forllm(["user", "add", "bob", "--password", "x"], in: directory)
        #expect(passwordArgument.status != 0)

        await #expect(
            try self.forllm(["user", "passwd", "jane"], in: directory, password: "battery staple").status == 0
        )
        let unknown = try await self.forllm(["user", "passwd", "nobody"], in: directory, password: "battery staple")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no user named nobody"))
        #expect(try await self.forllm(["user", "remove", "jane"], in: directory).status == 0)
        #expect(try await self.forllm(["user", "list"], in: directory).stdout.hasPrefix("no users"))
    }

    @Test("with users, readers log in; a user posts only as themself and cancels only their own")
    func loggingIn() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await directory.migrate()
        for (name, address) in [("jane", "jane@example.org"), ("bob", "bob@example.org")] {
            let added = try await self.forllm(
                ["user", "add", name, "--from", address],
                in: directory,
                password: "\(name) secret"
            )
            try #require(added.status == 0, "\(added.stderr)")
        }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            let jane = try await app.connect()
            #expect(try await jane.command("GROUP forllm.general").code == 480)
            #expect(try await jane.command("AUTHINFO USER jane").code == 381)
            #expect(try await jane.command("AUTHINFO PASS wrong password").code == 481)
            #expect(try await jane.command("AUTHINFO USER jane").code == 381)
            #expect(try await jane.command("AUTHINFO PASS jane secret").code == 281)
            let base = "Newsgroups: forllm.general\nSubject: Mine\nX-FORLLM-Request: none\n"
            let foreign = try await jane.postArticle("From: Bob <bob@example.org>\n" + base + "\nHi\n")
            #expect(foreign.code == 441)
            #expect(foreign.text.contains("bob@example.org is not an address of user jane"))
            #expect(
                try await jane.postArticle(
                    "From: Jane <jane@example.org>\nMessage-ID: <jane.1@example.org>\n" + base + "\nHi\n"
                ).code == 240
            )
            let stored = try #require(try await jane.fetchArticle("<jane.1@example.org>"))
            #expect(stored["Injection-Info"] == "forllm.local; posting-account=\"jane\"")

            let bob = try await app.connect()
            #expect(try await bob.command("AUTHINFO USER bob").code == 381)
            #expect(try await bob.command("AUTHINFO PASS bob secret").code == 281)
            let cancel = try await bob.postArticle(
                "From: Bob <bob@example.org>\nNewsgroups: forllm.general\nSubject: cancel\n"
                    + "Control: cancel <jane.1@example.org>\n\ncancel\n"
            )
            #expect(cancel.code == 441)
            #expect(cancel.text.contains("was posted by jane@example.org, not by user bob"))
            #expect(try await jane.command("STAT <jane.1@example.org>").code == 223)
            try await jane.close()
            try await bob.close()
            try await app.stop()
        }
    }
}
