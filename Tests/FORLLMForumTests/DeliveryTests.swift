import FORLLMForum
import FORLLMStore
import Foundation
import Testing

/// The forum's side of Maildir delivery: what is queued in the article's transaction, what a
/// withdrawal queues, and the copy.
@Suite("Delivery queueing")
struct DeliveryTests {
    static func mailOn(
        _ pattern: String = "*",
        _ matches: @escaping @Sendable (String) -> Bool = { _ in true }
    )
        -> ForumConfiguration
    {
        var configuration = ForumConfiguration()
        configuration.deliveredGroups = GroupFilter(pattern: pattern, matching: matches)
        return configuration
    }

    @Test("mail off: nothing is queued")
    func mailOff() async throws {
        let (forum, database) = try await makeForum()
        _ = try await forum.inject(raw: rawArticle(extraHeaders: ["X-FORLLM-Request: none"]))
        #expect(try await database.deliveryStatus().isEmpty)
    }

    @Test("mail on: one delivery per delivered group of every stored article, cards included")
    func queued() async throws {
        let (forum, database) = try await makeForum(
            configuration: Self.mailOn("forllm.general,forllm.personas") { $0 != "forllm.cooking" }
        )
        try await database.createGroup(name: "forllm.cooking", description: "", mode: .off, now: Date())
        _ = try await forum.inject(
            raw: rawArticle(groups: "forllm.general,forllm.cooking", extraHeaders: ["X-FORLLM-Request: none"])
        )
        let status = try await database.deliveryStatus()
        // The Assistant's card (posted when the forum opened) and the cross-posted article in
        // forllm.general only: forllm.cooking is not delivered.
        #expect(status.map(\.group) == ["forllm.general", "forllm.personas"])
        #expect(status.map(\.pending) == [1, 1])
        #expect(try await database.waitingDeliveryCount() == 2)
    }

    @Test("a cancel: a copy never started is done with, one that may be written waits for removal")
    func withdrawal() async throws {
        let (forum, database) = try await makeForum(configuration: Self.mailOn())
        for index in 1...3 {
            _ = try await forum.inject(
                raw: rawArticle(messageID: "<w.\(index)@example.org>", extraHeaders: ["X-FORLLM-Request: none"])
            )
        }
        // Two are claimed: from now on a file may exist under their names; the third is not.
        let claimed = try await database.claimDeliveries(now: Date(), lease: 60, limit: 2, groups: ["forllm.general"]) {
            id,
            _ in "name.\(id)"
        }
        #expect(claimed.map(\.messageID) == ["<w.1@example.org>", "<w.2@example.org>"])
        try await database.recordDeliveries(
            [.failed(id: claimed[0].id, error: "disk full", retryAt: Date())],
            now: Date()
        )
        for index in 1...3 {
            _ = try await forum.inject(
                raw: rawArticle(
                    subject: "cancel",
                    extraHeaders: ["Control: cancel <w.\(index)@example.org>"]
                )
            )
        }
        let status = try #require(try await database.deliveryStatus().first { $0.group == "forllm.general" })
        #expect(status.removalPending == 2)
        #expect(status.removed == 1)
        #expect(status.pending == 0)
        #expect(status.lastError == nil)
        let removals = try await database.claimDeliveries(
            now: Date().addingTimeInterval(120),
            lease: 60,
            limit: 10,
            groups: ["forllm.general"]
        ) { id, _ in "never.\(id)" }
        #expect(removals.map(\.kind) == [.remove, .remove])
        #expect(removals.map(\.fileName) == claimed.map(\.fileName))
    }

    @Test("the copy: the article plus In-Reply-To, List-Id and List-Post; theirs replaced, an In-Reply-To kept")
    func copy() {
        let head = Data(
            ("Path: forllm.local!not-for-mail\r\nFrom: a@example.org\r\nList-Id: Old list\r\n <old.example.org>\r\n"
                + "Subject: Hi\r\nReferences: <r1@x> <r2@x>\r\nList-Post: <mailto:old@example.org>\r\n").utf8
        )
        let body = Data("Body\r\n".utf8)
        let copy = Forum.mailCopy(
            head: head,
            body: body,
            references: "<r1@x> <r2@x>",
            group: "forllm.general",
            hostname: "forllm.local"
        )
        #expect(
            String(decoding: copy, as: UTF8.self)
                == "Path: forllm.local!not-for-mail\r\nFrom: a@example.org\r\nSubject: Hi\r\n"
                + "References: <r1@x> <r2@x>\r\nIn-Reply-To: <r2@x>\r\nList-Id: <forllm.general.forllm.local>\r\n"
                + "List-Post: <mailto:forllm.general@forllm.local>\r\n\r\nBody\r\n"
        )
        let withReply = Forum.mailCopy(
            head: Data("From: a@example.org\r\nIN-REPLY-TO: <mine@x>\r\n".utf8),
            body: Data(),
            references: "<r1@x>",
            group: "g.h",
            hostname: "example.org"
        )
        #expect(
            String(decoding: withReply, as: UTF8.self)
                == "From: a@example.org\r\nIN-REPLY-TO: <mine@x>\r\nList-Id: <g.h.example.org>\r\n"
                + "List-Post: <mailto:g.h@example.org>\r\n\r\n"
        )
    }
}
