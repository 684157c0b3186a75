import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import Foundation

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

func removeDatabaseFile(_ path: String) {
    for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
    }
}
