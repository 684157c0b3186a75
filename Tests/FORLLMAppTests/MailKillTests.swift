import FORLLMTestSupport
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of the real `forllm serve` while it delivers to the Maildir: no copy lost, none
/// doubled, nothing left in tmp/.
@Suite("kill -9 during mail delivery", .endToEnd)
struct MailKillTests {
    static func article(_ index: Int) -> String {
        "From: Jane <jane@example.org>\r\nNewsgroups: forllm.mail\r\nSubject: Mail \(index)\r\n"
            + "Message-ID: <mailkill.\(index)@example.org>\r\n\r\nArticle number \(index).\r\n"
    }

    /// The Message-ID of each message file in `directory` (new/ or cur/).
    static func messageIDs(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).map { name in
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            let line = text.split(separator: "\n").first { $0.hasPrefix("Message-ID: ") }
            return line.map { String($0.dropFirst("Message-ID: ".count)) } ?? "(none in \(name))"
        }
    }

    @Test("killed while posting and delivering: each stored article is in the Maildir exactly once after a restart")
    func killDuringDelivery() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let maildir = directory.path + "/Mail"
        let config = directory.path + "/forllm.yaml"
        try """
        server:
          listen: 127.0.0.1:0
        database: \(directory.databasePath)
        mail:
          maildir: \(maildir)
          groups: forllm.mail
        backends:
          - name: ollama
            url: http://127.0.0.1:9
        """.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try await ForLLMProcess.run(["migrate", "--config", config], in: directory).status == 0)
        let created = try await ForLLMProcess.run(
            ["group", "create", "forllm.mail", "--mode", "off", "--config", config],
            in: directory
        )
        try #require(created.status == 0, "\(created.stderr)")

        let first = try ForLLMProcess.start(["serve", "--config", config], in: directory)
        let ready = try await first.waitForStandardError(containing: "FORLLM is ready")
        let port = try #require(
            ready.range(of: "url=nntp://127.0.0.1:").flatMap { Int(ready[$0.upperBound...].prefix(while: \.isNumber)) }
        )
        let accepted = NNTPTestClient.postInBackground(
            port: port,
            connections: 2,
            count: 400,
            article: Self.article,
            messageID: { "<mailkill.\($0)@example.org>" }
        )
        var acceptedIDs: [String] = []
        for await id in accepted {
            acceptedIDs.append(id)
            if acceptedIDs.count == 150 { break }
        }
        kill(first.process.processIdentifier, SIGKILL)
        _ = await first.waitForExit()
        try #require(acceptedIDs.count == 150, "the posters stopped after \(acceptedIDs.count) accepted posts")
        #expect(first.process.terminationReason == .uncaughtSignal)
        for await id in accepted { acceptedIDs.append(id) }

        let database = try DatabasePool(path: directory.databasePath)
        let waiting = try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE state = 'pending'") ?? 0
        }
        // The copies the killed process had not recorded yet are delivered by the next start.
        let second = try ForLLMProcess.start(["serve", "--config", config], in: directory)
        let caughtUp = try await second.waitForStandardError(containing: "Mail delivery caught up")

        let (stored, deliveries, delivered) = try await database.read { db in
            (
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT a.message_id FROM article a JOIN group_article ga ON ga.article_id = a.id
                        JOIN newsgroup g ON g.id = ga.group_id WHERE g.name = 'forllm.mail'
                        """
                ),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery") ?? -1,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE state = 'delivered'") ?? -1
            )
        }
        #expect(Set(acceptedIDs).isSubset(of: Set(stored)))
        #expect(deliveries == stored.count)
        #expect(delivered == stored.count)
        let group = maildir + "/forllm.mail"
        let files = try Self.messageIDs(in: group + "/new") + Self.messageIDs(in: group + "/cur")
        #expect(files.count == stored.count, "\(waiting) were pending at the kill; \(caughtUp)")
        #expect(Set(files) == Set(stored))
        #expect(Set(files).count == files.count, "a copy was written twice")
        #expect(try FileManager.default.contentsOfDirectory(atPath: group + "/tmp").isEmpty)
        print("mail kill -9: \(stored.count) stored, \(waiting) deliveries pending at the kill; \(caughtUp)")
        try database.close()
        kill(second.process.processIdentifier, SIGTERM)
        #expect(await second.waitForExit() == 0)
    }
}
