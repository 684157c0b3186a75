import FORLLMApp
import FORLLMForum
@testable import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import Synchronization
import Testing

/// A wall clock the test moves.
final class TestWallClock: Sendable {
    private let date: Mutex<Date>

    init(_ date: Date) {
        self.date = Mutex(date)
    }

    var now: Date { self.date.withLock { $0 } }

    func set(_ date: Date) {
        self.date.withLock { $0 = date }
    }
}

/// `forllm.status` end to end: a request held by the schedule gets a status article saying why
/// and when the window opens; running supersedes it, done withdraws it; a restart does not post
/// it twice.
@Suite("Status group end to end", .endToEnd)
struct StatusEndToEndTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func statusArticles(_ app: RunningApp) async throws -> [PublishedStatus] {
        try await app.database.publishedStatuses().values.sorted { $0.requestID < $1.requestID }
    }

    @Test("held by the schedule, then running, then done: posted, superseded, withdrawn; no duplicate after restart")
    func lifecycle() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        // Sunday 21:41 UTC; the window opens at 22:00.
        let clock = TestWallClock(Self.date("2027-01-03T21:41:00Z"))
        try await LLMStubServer(.ollama).run { stub in
            await stub.setDefaultBehaviour(
                LLMStubBehaviour(response: .answer(pieces: ["Mise ", "en ", "place."]), waitsForGate: true)
            )
            var configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, await stub.baseURL)]
            )
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            configuration.worker.calendar = utc
            // The publisher's 5 s pass stays still (a clock nobody advances): it runs when woken,
            // or when the test calls it, so that no pass of its own lands between two steps.
            let timer = ManualClock()
            var app = try await RunningApp.start(configuration, now: { clock.now }, statusTimer: timer)
            _ = try await app.database.addScheduleWindow(
                days: Set(Weekday.allCases),
                start: TimeOfDay(minutes: 22 * 60),
                end: TimeOfDay(minutes: 6 * 60),
                now: clock.now
            )
            let client = try await app.connect()
            #expect(
                try await client.postArticle(
                    """
                    From: Jane <jane@example.org>
                    Newsgroups: forllm.general
                    Subject: What is mise en place?
                    Message-ID: <ask@x.example>

                    Tell me.
                    """
                ).code == 240
            )
            // The post wakes the publisher: the status article appears without the timer.
            let first = try await app.waitFor("a status article") { db in
                try String.fetchOne(db, sql: "SELECT message_id FROM status_article")
            }
            let article = try #require(try await client.fetchArticle(first))
            let body = String(decoding: article.body, as: UTF8.self)
            #expect(article["Newsgroups"] == "forllm.status")
            #expect(article["From"] == "FORLLM <forllm@forllm.local>")
            #expect(article["Subject"] == "[waits for the schedule] @assistant: What is mise en place?")
            #expect(body.contains("waiting for the schedule: closed until 22:00; position 1 of 1"))
            #expect(body.contains("Next window: 22:00"))
            #expect(body.contains("<news:<ask@x.example>>"))
            // Readers cannot post there.
            let refused = try await client.postArticle(
                "From: Jane <jane@example.org>\nNewsgroups: forllm.status\nSubject: hi\n\nhi\n"
            )
            #expect(refused.code == 441)

            // A restart finds what it posted: nothing new, the same article.
            try await app.stop()
            app = try await RunningApp.start(configuration, now: { clock.now }, statusTimer: timer)
            let pass = try await app.assembly.statusPublisher.publish()
            #expect(pass == StatusPublisher.Pass())
            #expect(try await Self.statusArticles(app).map(\.messageID) == [first])

            // The window opens: the worker claims it and the stub holds the answer.
            clock.set(Self.date("2027-01-03T22:01:00Z"))
            let requestID = try #require(try await app.database.requests().first?.id)
            try await app.waitForRequest(requestID, in: [.running])
            _ = try await app.assembly.statusPublisher.publish()
            let second = try #require(try await Self.statusArticles(app).first)
            #expect(second.messageID != first)
            let client2 = try await app.connect()
            let running = try #require(try await client2.fetchArticle(second.messageID))
            #expect(running["Supersedes"] == first)
            #expect(String(decoding: running.body, as: UTF8.self).contains("running since 22:01"))
            #expect(try await client2.fetchArticle(first) == nil)
            // At most once a minute: a change half a minute later waits, one after a minute is posted.
            clock.set(Self.date("2027-01-03T22:01:30Z"))
            #expect(try await app.database.recordProgress(requestID: requestID, characters: 42, now: clock.now))
            #expect(try await app.assembly.statusPublisher.publish() == StatusPublisher.Pass())
            clock.set(Self.date("2027-01-03T22:02:01Z"))
            _ = try await app.assembly.statusPublisher.publish()
            let third = try #require(try await Self.statusArticles(app).first)
            let progress = try #require(try await client2.fetchArticle(third.messageID))
            #expect(String(decoding: progress.body, as: UTF8.self).contains("Progress:    42 characters"))

            // Done: the answer event wakes the publisher, which withdraws the article.
            await stub.openGate()
            try await app.waitForRequest(requestID)
            _ = try await app.waitFor("the status article withdrawn") { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM status_article").flatMap { $0 == 0 ? true : nil }
            }
            #expect(try await client2.fetchArticle(third.messageID) == nil)
            let overview = try await client2.overview(group: "forllm.status")
            #expect(overview.isEmpty)
            try await client2.close()
            try await app.stop()
        }
    }
}
