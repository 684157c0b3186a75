import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import SMTPServer
import Testing

/// A mail client that can only speak SMTP (Thunderbird's outgoing server, a phone), against
/// the whole application with `mail.smtp_listen` set: posting to a group's address, asking a
/// persona at its address in the thread replied to, and the refusals a mail client shows.
@Suite("End to end: SMTP submission", .endToEnd(timeLimit: .seconds(120)))
struct EndToEndSMTPTests {
    static let python = PythonScript.interpreter(importing: "smtplib")

    /// Talks SMTP the way a mail client does, step by step, and prints each reply.
    static let script = #"""
        import smtplib, sys
        s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="laptop.example", timeout=20)
        out = [f"ehlo {s.ehlo()[0]}"]

        def send(sender, recipients, message):
            s.mail(sender)
            for r in recipients:
                code, text = s.rcpt(r)
                out.append(f"rcpt {r} {code} {text.decode()}")
            code, text = s.data(message)
            out.append(f"data {code} {text.decode()}")

        question = ("From: Jane Doe <jane@example.org>\r\nTo: forllm.general@forllm.local\r\n"
                    "Subject: Grüße from the mail side\r\nMessage-ID: <smtp-q@example.org>\r\n"
                    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n\r\nWie geht's? Ünïcödé, byte for byte.\r\n"
                    ".a line starting with a dot\r\n").encode()
        send("jane@example.org", ["forllm.general@forllm.local"], question)
        s.rset()
        s.mail("jane@example.org")
        code, text = s.rcpt("nobody@elsewhere.example")
        out.append(f"rcpt unknown {code} {text.decode()}")
        s.rset()
        send("jane@example.org", ["forllm.general@forllm.local"], question)  # sent twice
        reply = ("From: Jane Doe <jane@example.org>\r\nTo: Assistant <assistant@personas.forllm.local>\r\n"
                 "Subject: Re: Grüße from the mail side\r\nMessage-ID: <smtp-r@example.org>\r\n"
                 "In-Reply-To: <smtp-q@example.org>\r\nReferences: <smtp-q@example.org>\r\n"
                 "\r\nAnd what do you think, assistant?\r\n").encode()
        send("jane@example.org", ["assistant@personas.forllm.local"], reply)
        unknown = ("From: Jane Doe <jane@example.org>\r\nTo: forllm.general@forllm.local\r\n"
                   "Subject: With a model nobody has\r\nMessage-ID: <smtp-m@example.org>\r\n"
                   "X-FORLLM-Request: assistant; model=llama9\r\n\r\nWhich model are you?\r\n").encode()
        send("jane@example.org", ["forllm.general@forllm.local"], unknown)
        out.append(f"quit {s.quit()[0]}")
        print("\n".join(out))
        """#

    @Test(
        "post to a group's address, ask a persona at its address in the thread, refusals",
        .enabled(if: Self.python != nil)
    )
    func submission() async throws {
        let python = try #require(Self.python)
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let stub = LLMStubServer(.ollama, models: [.init(name: "llama3.2")])
        try await stub.start()
        var configuration = RunningApp.configuration(
            directory: directory,
            backends: [("gpu", .ollama, await stub.baseURL)]
        )
        configuration.smtp = SMTPServerConfiguration(host: "127.0.0.1", port: 0)
        let app = try await RunningApp.start(configuration)
        do {
            // The model check gives the backends 2 s; with their lists remembered, the refusal
            // below does not depend on how loaded the machine is.
            _ = try await app.assembly.llm.catalog.models(of: "gpu")
            let port = try #require(app.smtpPort)
            let outcome = try await PythonScript.run(python, script: Self.script, arguments: [String(port)])
            #expect(outcome.status == 0, "smtplib failed: \(outcome.errors)")
            let lines = outcome.output.split(separator: "\n").map(String.init)
            #expect(lines.contains("ehlo 250"))
            #expect(
                lines.contains("rcpt forllm.general@forllm.local 250 2.1.5 <forllm.general@forllm.local> recipient OK")
            )
            #expect(lines.contains("data 250 2.0.0 message accepted as <smtp-q@example.org>"), "\(lines)")
            #expect(
                lines.contains { $0.hasPrefix("rcpt unknown 550 ") && $0.contains("nobody@elsewhere.example") },
                "\(lines)"
            )
            // The same message again: refused as the duplicate it is, with the reason.
            #expect(lines.contains { $0.hasPrefix("data 554 ") && $0.contains("duplicate") }, "\(lines)")
            #expect(
                lines.contains(
                    "rcpt assistant@personas.forllm.local 250 2.1.5 <assistant@personas.forllm.local> recipient OK"
                )
            )
            #expect(lines.contains("data 250 2.0.0 message accepted as <smtp-r@example.org>"), "\(lines)")
            // A model the backend does not offer: refused before it is stored, as NNTP POST does.
            #expect(
                lines.contains { $0.hasPrefix("data 554 ") && $0.contains("model 'llama9' is not offered") },
                "\(lines)"
            )
            #expect(lines.contains("quit 221"))

            // The post is an article of the group, its 8-bit body byte for byte.
            let client = try await app.connect()
            #expect(try await client.fetchArticle("<smtp-m@example.org>") == nil)
            let question = try #require(try await client.fetchArticle("<smtp-q@example.org>"))
            #expect(question["Newsgroups"] == "forllm.general")
            #expect(String(decoding: question.body, as: UTF8.self).hasPrefix("Wie geht's? Ünïcödé, byte for byte.\r\n"))
            // The mail to the persona asked it, in the thread; its answer follows the reply.
            let requestID = try await app.waitFor("the persona's request") { db in
                try Int64.fetchOne(
                    db,
                    sql: "SELECT id FROM request WHERE message_id = ?",
                    arguments: ["<smtp-r@example.org>"]
                )
            }
            let request = try await app.waitForRequest(requestID)
            #expect(request.personaHandle == "assistant")
            let answerID = try #require(request.answerMessageID)
            let answer = try #require(try await client.fetchArticle(answerID))
            #expect(answer["References"] == "<smtp-q@example.org> <smtp-r@example.org>")
            #expect(answer["Newsgroups"] == "forllm.general")
        } catch {
            try? await app.stop()
            await stub.shutdown()
            throw error
        }
        try await app.stop()
        await stub.shutdown()
    }
}
