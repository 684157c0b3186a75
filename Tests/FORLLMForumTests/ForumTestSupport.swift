import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import Foundation
import NewsArticle
import Testing

/// A raw article as a client would post it (CRLF lines).
func rawArticle(
    groups: String = "forllm.general",
    subject: String = "Hello",
    from: String = "Jane Doe <jane@example.org>",
    messageID: String? = nil,
    references: String? = nil,
    extraHeaders: [String] = [],
    body: String = "Hello world.\n"
) -> [UInt8] {
    var lines = ["From: \(from)", "Newsgroups: \(groups)", "Subject: \(subject)"]
    if let messageID { lines.append("Message-ID: \(messageID)") }
    if let references { lines.append("References: \(references)") }
    lines += extraHeaders
    var text = lines.joined(separator: "\r\n") + "\r\n\r\n"
    text += body.replacingOccurrences(of: "\n", with: "\r\n")
    return Array(text.utf8)
}

/// A fresh forum on an in-memory database (seeded: `forllm.general` in auto mode with
/// Assistant), and its database; its wall clock is `clock`'s date (real time without one).
func makeForum(
    configuration: ForumConfiguration = .init(),
    clock: ManualClock? = nil
) async throws -> (Forum, ForumDatabase) {
    let forum = try await Forum.inMemory(configuration: configuration, now: { clock?.date ?? Date() })
    return (forum, forum.database)
}

/// A fresh forum on a temporary file, removed by the caller with `removeDatabaseFile`.
func makeFileForum() async throws -> (Forum, ForumDatabase, String) {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("forllm-forum-\(UUID().uuidString).db").path
    let forum = try await Forum.open(path: path)
    return (forum, forum.database, path)
}

/// A forum on a new file with the server's read cache (4 MB), the cache, and the path (for a
/// second connection, as another process would open it).
func makeCachedFileForum() async throws -> (Forum, ReadCache, String) {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("forllm-cache-\(UUID().uuidString).db").path
    var configuration = ForumConfiguration()
    configuration.readCacheMegabytes = 4
    let forum = try await Forum.open(path: path, configuration: configuration, readCache: true)
    let cache = try #require(forum.database.readCache)
    return (forum, cache, path)
}

func removeDatabaseFile(_ path: String) {
    for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
    }
}

/// Runs the first request `question` made as the default persona would, storing "An answer."
/// as its answer in forllm.general; returns the answer's Message-ID.
func storeAnswer(to question: InjectedArticle, forum: Forum) async throws -> String {
    guard let id = question.requestIDs.first else { throw StoreError(.notFound, "the question made no request") }
    _ = try await forum.database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: Date())
    let request = try await forum.database.request(id: id)
    let answer = try ArticleDraft(
        from: Mailbox(displayName: "Assistant", address: "assistant@personas.forllm.local"),
        newsgroups: ["forllm.general"],
        subject: "Re: Hello",
        references: [question.messageID],
        messageID: try MessageID(request.answerMessageID ?? ""),
        text: "An answer.",
        flowed: true
    ).build()
    guard let stored = try await forum.complete(requestID: id, answer: answer, personaID: 1, personaVersion: 1)
    else { throw StoreError(.conflict, "the answer was not stored") }
    return stored.messageID.value
}
