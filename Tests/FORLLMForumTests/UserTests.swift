import FORLLMForum
import FORLLMStore
import Foundation
import NewsArticle
import Testing

/// The readers who log in: their passwords, the addresses they may post with, and what they
/// may withdraw.
@Suite("Users and permissions")
struct UserTests {
    /// A forum whose password hashes are cheap (N = 2^10): the rules are the same.
    static func forum() async throws -> (Forum, ForumDatabase) {
        var configuration = ForumConfiguration()
        configuration.passwordCost = 10
        return try await makeForum(configuration: configuration)
    }

    @Test("passwords are stored as salted scrypt hashes and checked; unknown names and wrong passwords fail alike")
    func passwords() async throws {
        let (forum, database) = try await Self.forum()
        let jane = try await forum.addUser(
            name: "Jane",
            password: "correct horse",
            addresses: ["Jane Doe <Jane@Example.org>", "jd@example.net"]
        )
        #expect(jane.name == "jane")
        #expect(jane.addresses == ["jane@example.org", "jd@example.net"])
        let stored = try #require(try await database.user(named: "jane"))
        #expect(stored.passwordHash.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(!stored.passwordHash.contains("correct horse"))
        // Two users with one password: two salts, two hashes.
        try await forum.addUser(name: "joe", password: "correct horse", addresses: [])
        #expect(try await database.user(named: "joe")?.passwordHash != stored.passwordHash)

        #expect(try await forum.authenticate(name: "JANE", password: "correct horse")?.name == "jane")
        #expect(try await forum.authenticate(name: "jane", password: "correct horsE") == nil)
        #expect(try await forum.authenticate(name: "nobody", password: "correct horse") == nil)
        #expect(try await forum.authenticate(name: "bad name!", password: "correct horse") == nil)

        try await forum.changePassword(ofUser: "jane", to: "battery staple")
        #expect(try await forum.authenticate(name: "jane", password: "correct horse") == nil)
        #expect(try await forum.authenticate(name: "jane", password: "battery staple") != nil)
        try await forum.removeUser(named: "jane")
        #expect(try await forum.authenticate(name: "jane", password: "battery staple") == nil)
        #expect(try await database.users().map(\.name) == ["joe"])
    }

    @Test(
        "bad user input is refused with the reason",
        arguments: [
            ("x y", "secret123", ["a@b.example"], "is not a user name"),
            ("ann", "short", ["a@b.example"], "shorter than 8"),
            ("ann", " padded secret ", ["a@b.example"], "begins or ends with a space"),
            ("ann", "secret123", ["not an address"], "is not a mail address")
        ]
    )
    func refusals(name: String, password: String, addresses: [String], reason: String) async throws {
        let (forum, _) = try await Self.forum()
        await #expect {
            try await forum.addUser(name: name, password: password, addresses: addresses)
        } throws: { error in
            (error as? ForumError)?.message.contains(reason) == true
        }
    }

    @Test("a second user of the same name is refused; an unknown one cannot change its password")
    func names() async throws {
        let (forum, _) = try await Self.forum()
        try await forum.addUser(name: "ann", password: "secret123", addresses: [])
        await #expect(throws: StoreError.self) {
            try await forum.addUser(name: "ANN", password: "secret456", addresses: [])
        }
        await #expect(throws: StoreError.self) {
            try await forum.changePassword(ofUser: "bob", to: "secret456")
        }
    }

    @Test("a logged-in user posts only with their addresses; Injection-Info names the account")
    func postingAddresses() async throws {
        let (forum, database) = try await Self.forum()
        let jane = try await forum.addUser(name: "jane", password: "secret123", addresses: ["jane@example.org"])
        await #expect {
            _ = try await forum.inject(raw: rawArticle(from: "Bob <bob@example.org>"), account: jane)
        } throws: { error in
            (error as? ArticleError)?.message
                == "From: bob@example.org is not an address of user jane; post with jane@example.org "
                + "(the administrator adds addresses with forllm user add)"
        }
        let posted = try await forum.inject(
            raw: rawArticle(from: "Jane <JANE@example.org>", messageID: "<mine@example.org>"),
            account: jane
        )
        let stored = try #require(try await database.article(messageID: posted.messageID.value))
        let article = try Article(parsing: stored.bytes)
        #expect(article["Injection-Info"] == "forllm.local; posting-account=\"jane\"")
        // Without a login (loopback, no users), no Injection-Info.
        let anonymous = try await forum.inject(raw: rawArticle(messageID: "<anon@example.org>"))
        let plain = try #require(try await database.article(messageID: anonymous.messageID.value))
        #expect(try Article(parsing: plain.bytes)["Injection-Info"] == nil)
    }

    @Test("a user withdraws their own articles and the answers to them, nobody else's")
    func withdrawals() async throws {
        let (forum, database) = try await Self.forum()
        let jane = try await forum.addUser(
            name: "jane",
            password: "secret123",
            addresses: ["jane@example.org", "jd@example.net"]
        )
        let bob = try await forum.addUser(name: "bob", password: "secret123", addresses: ["bob@example.org"])
        let question = try await forum.inject(
            raw: rawArticle(from: "Jane <jane@example.org>", messageID: "<q@example.org>"),
            account: jane
        )
        let answer = try await storeAnswer(to: question, forum: forum)
        func cancel(_ id: String, by user: ForumUser, from: String, number: Int) async throws {
            _ = try await forum.inject(
                raw: rawArticle(
                    subject: "cancel \(id)",
                    from: from,
                    messageID: "<cancel.\(number)@example.org>",
                    extraHeaders: ["Control: cancel \(id)"],
                    body: "cancelled\n"
                ),
                account: user
            )
        }
        // Bob cannot take Jane's article or the answer to it.
        await #expect {
            try await cancel("<q@example.org>", by: bob, from: "bob@example.org", number: 1)
        } throws: { error in
            (error as? ArticleError)?.message.contains("was posted by jane@example.org, not by user bob") == true
        }
        await #expect {
            try await cancel(answer, by: bob, from: "bob@example.org", number: 2)
        } throws: { error in
            (error as? ArticleError)?.message.contains("answers jane@example.org, not user bob") == true
        }
        #expect(try await database.article(messageID: answer) != nil)
        // Jane can, from either of her addresses.
        try await cancel(answer, by: jane, from: "jd@example.net", number: 3)
        #expect(try await database.article(messageID: answer) == nil)
        try await cancel("<q@example.org>", by: jane, from: "jd@example.net", number: 4)
        #expect(try await database.article(messageID: "<q@example.org>") == nil)
    }

    @Test("without a login, a reader cannot cancel a persona's answer to someone else")
    func anonymousAnswerCancel() async throws {
        let (forum, database) = try await Self.forum()
        let question = try await forum.inject(raw: rawArticle(messageID: "<q2@example.org>"))
        let answer = try await storeAnswer(to: question, forum: forum)
        await #expect(throws: ArticleError.self) {
            _ = try await forum.inject(
                raw: rawArticle(
                    from: "Mallory <mallory@example.org>",
                    extraHeaders: ["Control: cancel \(answer)"],
                    body: "gone\n"
                )
            )
        }
        #expect(try await database.article(messageID: answer) != nil)
    }
}
