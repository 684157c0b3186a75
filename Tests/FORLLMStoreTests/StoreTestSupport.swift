import FORLLMStore
import Foundation
import GRDB
import NewsArticle

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

/// A fresh in-memory database (seeded: `forllm.general` in auto mode with Assistant).
func makeDatabase(configuration: StoreConfiguration = .init()) throws -> ForumDatabase {
    try ForumDatabase.inMemory(configuration: configuration)
}

/// A fresh database in a temporary file, removed by the caller with `removeDatabaseFile`.
func makeFileDatabase() throws -> (ForumDatabase, String) {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("forllm-store-\(UUID().uuidString).db").path
    return (try ForumDatabase.open(path: path), path)
}

func removeDatabaseFile(_ path: String) {
    for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
    }
}
