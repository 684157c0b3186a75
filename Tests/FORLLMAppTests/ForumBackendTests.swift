import FORLLMApp
import FORLLMForum
import InMemoryLogging
import Logging
import NNTPServer
import Testing

@Suite("The forum as the NNTP server's backend")
struct ForumBackendTests {
    static let article = Array(
        "From: Jane <jane@example.org>\r\nNewsgroups: forllm.general\r\nSubject: Hi\r\n\r\nHello.\r\n".utf8
    )

    @Test("a refused article gets the forum's reason after 441")
    func refused() async throws {
        let forum = try await Forum.inMemory()
        let backend = ForumBackend(forum: forum, logger: Logger(label: "test", factory: { _ in InMemoryLogHandler() }))
        let outcome = await backend.post(
            Array("From: Jane <jane@example.org>\r\nNewsgroups: no.such\r\nSubject: Hi\r\n\r\nHello.\r\n".utf8),
            user: nil
        )
        #expect(outcome == .rejected(reason: "Newsgroups: no such group 'no.such'"))
    }

    @Test("a storage failure never sends SQLite's text to the client; the operator's log has it")
    func storageFailure() async throws {
        let forum = try await Forum.inMemory()
        let handler = InMemoryLogHandler()
        let backend = ForumBackend(forum: forum, logger: Logger(label: "test", factory: { _ in handler }))
        guard case .posted = await backend.post(Self.article, user: nil) else {
            Issue.record("the first article was not stored")
            return
        }
        try await forum.close()
        let outcome = await backend.post(Self.article, user: nil)
        guard case .rejected(let reason) = outcome else {
            Issue.record("stored on a closed database: \(outcome)")
            return
        }
        #expect(reason == "the article could not be stored (a server error; the server's log says why)")
        let logged = try #require(handler.entries.first { $0.level == .error })
        #expect("\(logged.metadata["error"] ?? "")".isEmpty == false)
    }
}
