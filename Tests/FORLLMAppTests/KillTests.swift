import FORLLMStore
import FORLLMTestSupport
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of the real `forllm serve` process: nothing accepted is lost, no answer doubles.
@Suite("kill -9", .endToEnd)
struct KillTests {
    /// Starts `forllm serve` on `directory`'s database with one Ollama backend at `url`;
    /// returns the process and its NNTP port.
    static func serve(_ directory: TestDirectory, backend url: String) async throws -> (ForLLMProcess.Running, Int) {
        let config = directory.path + "/forllm.yaml"
        try """
        server:
          listen: 127.0.0.1:0
        database: \(directory.databasePath)
        llm:
          poll_interval_seconds: 0.2
          retry_delay_seconds: 1
        backends:
          - name: ollama
            url: \(url)
            timeout_seconds: 60
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ForLLMProcess.start(["serve", "--config", config], in: directory)
        let ready = try await server.waitForStandardError(containing: "FORLLM is ready")
        guard let range = ready.range(of: "url=nntp://127.0.0.1:"),
            let port = Int(ready[range.upperBound...].prefix(while: \.isNumber))
        else { throw TestAppError(message: "no port in \(ready)") }
        return (server, port)
    }

    static func article(_ index: Int) -> String {
        "From: Jane <jane@example.org>\r\nNewsgroups: forllm.general\r\nSubject: Question \(index)\r\n"
            + "Message-ID: <kill.\(index)@example.org>\r\n\r\nQuestion number \(index)?\r\n"
    }

    @Test("killed while posting and while generating: every accepted article stays, each gets exactly one answer")
    func killDuringPostsAndGeneration() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            // Answers are held until the gate opens, so the kill lands in the middle of one.
            await stub.setDefaultBehaviour(LLMStubBehaviour.answer(["An ", "answer."]).gated())
            let (first, port) = try await Self.serve(directory, backend: await stub.baseURL)

            // Posts go on over two connections while the process is killed under them.
            let accepted = NNTPTestClient.postInBackground(
                port: port,
                connections: 2,
                count: 80,
                article: Self.article,
                messageID: { "<kill.\($0)@example.org>" }
            )
            await stub.waitForInFlight(atLeast: 1)
            var acceptedIDs: [String] = []
            for await id in accepted {
                acceptedIDs.append(id)
                if acceptedIDs.count == 50 { break }
            }
            kill(first.process.processIdentifier, SIGKILL)
            _ = await first.waitForExit()
            try #require(acceptedIDs.count == 50, "the posters stopped after \(acceptedIDs.count) accepted posts")
            #expect(first.process.terminationReason == .uncaughtSignal)
            for await id in accepted { acceptedIDs.append(id) }
            #expect(acceptedIDs.count >= 50)

            // Everything acknowledged is on disk.
            let database = try DatabasePool(path: directory.databasePath)
            let (stored, unanswered) = try await database.read { db in
                (
                    try String.fetchAll(db, sql: "SELECT message_id FROM article WHERE message_id LIKE '<kill.%'"),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE status IN ('pending', 'running')")
                        ?? 0
                )
            }
            #expect(Set(acceptedIDs).isSubset(of: Set(stored)))
            let userArticles = stored.count
            #expect(unanswered >= 1)

            // Start again: the interrupted request runs again, and everything is answered once.
            // The server logs each answer it posts; that is the event to wait for (a GRDB
            // observation here would not see another process's writes).
            await stub.openGate()
            let (second, _) = try await Self.serve(directory, backend: await stub.baseURL)
            _ = try await second.waitForStandardError(
                containing: "Answer posted",
                occurrences: unanswered,
                timeout: .seconds(120)
            )
            let (requests, done, answers, perParent) = try await database.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE status = 'done'") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM article WHERE author_persona_id IS NOT NULL") ?? -1,
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM article
                            WHERE author_persona_id IS NOT NULL GROUP BY parent_message_id)
                            """
                    ) ?? -1
                )
            }
            #expect(requests == userArticles)
            #expect(done == userArticles)
            #expect(answers == userArticles)
            #expect(perParent == 1)
            // The request interrupted by the kill was attempted again, not counted as failed.
            let retried = try await database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE attempts > 1") ?? 0
            }
            #expect(retried >= 1)
            try database.close()
            kill(second.process.processIdentifier, SIGTERM)
            #expect(await second.waitForExit() == 0)
        }
    }
}
