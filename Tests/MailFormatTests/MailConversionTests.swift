import Foundation
import MailFormat
import NewsArticle
import Testing

@Suite("mail to article")
struct MailConversionTests {
    /// `bytes` with every LF made CRLF.
    static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        MailConversion.crlfNormalized(bytes)
    }

    static func convert(_ text: String, domain: String? = nil) throws -> Article {
        try MailConversion.article(fromMail: Array(text.utf8), messageIDDomain: domain)
    }

    @Test("envelope and mailbox-state headers go; everything else stays byte for byte")
    func envelopeHeaders() throws {
        let messages = try MboxReaderTests.read(Array(MboxFixtures.listArchive.utf8))
        let article = try MailConversion.article(fromMail: messages[0].bytes)
        #expect(
            article.fields.map(\.name) == [
                "From", "To", "Subject", "Date", "Message-ID", "X-Mailing-List", "List-Id"
            ]
        )
        let raw = String(decoding: article.serialized, as: UTF8.self)
        #expect(raw.contains("List-Id: Bread lovers\r\n <bread.lists.example.net>\r\n"))
        #expect(raw.contains("From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jane@example.org>\r\n"))
        #expect(article["Subject"] == "=?UTF-8?B?U2F1ZXJ0ZWlnIMO8YmVyIE5hY2h0?=")
        #expect(EncodedWord.decode(article["Subject"] ?? "") == "Sauerteig über Nacht")

        let bcc = try Self.convert(
            "From: a@b\nBcc: secret@x\nBCC: more@x\nEnvelope-To: e@x\nX-Original-To: o@x\nX-Mozilla-Keys: k\n"
                + "Resent-Bcc: r@x\nContent-Length: 12\nSubject: s\n\nbody\n"
        )
        #expect(bcc.fields.map(\.name) == ["From", "Subject"])
        #expect(bcc.body == Array("body\r\n".utf8))
    }

    @Test("LF becomes CRLF, CRLF stays, MIME bodies and 8-bit text are kept")
    func lineEnds() throws {
        let messages = try MboxReaderTests.read(Array(MboxFixtures.listArchive.utf8))
        let article = try MailConversion.article(fromMail: messages[1].bytes)
        #expect(article.body == Self.crlf(Array(MboxFixtures.listArchiveBodies[1].utf8)))
        #expect(article["Content-Type"] == "multipart/alternative; boundary=\"b1\"")
        let mixed = try Self.convert("From: a@b\r\nSubject: s\n\r\none\r\ntwo\nthree")
        #expect(mixed.body == Array("one\r\ntwo\r\nthree".utf8))
    }

    @Test("In-Reply-To is appended to References when missing, References order kept")
    func inReplyTo() throws {
        let created = try Self.convert("From: a@b\nSubject: s\nIn-Reply-To: <p@x> (Bob's message)\n\nb\n")
        #expect(created["References"] == "<p@x>")
        #expect(created["In-Reply-To"] == "<p@x> (Bob's message)")

        let appended = try Self.convert("From: a@b\nSubject: s\nReferences: <r1@x>\n <r2@x>\nIn-Reply-To: <p@x>\n\nb\n")
        #expect(Threading.parseReferences(appended["References"] ?? "").map(\.value) == ["<r1@x>", "<r2@x>", "<p@x>"])
        #expect(appended.fields.map(\.name) == ["From", "Subject", "References", "In-Reply-To"])

        // Already there (even not last): References is left exactly as it was.
        let kept = try Self.convert("From: a@b\nSubject: s\nReferences: <p@x>  <r2@x>\nIn-Reply-To: <p@x>\n\nb\n")
        #expect(
            String(decoding: kept.field(named: "References")?.raw ?? [], as: UTF8.self) == "References: <p@x>  <r2@x>"
        )

        let junk = try Self.convert("From: a@b\nSubject: s\nIn-Reply-To: your message of Monday\n\nb\n")
        #expect(junk["References"] == nil)
    }

    @Test("Message-ID: kept; when missing, derived from the octets only when asked, the same for LF and CRLF")
    func messageID() throws {
        let kept = try Self.convert("From: a@b\nSubject: s\nMessage-ID: <m@x>\n\nb\n", domain: "forllm.local")
        #expect(kept.values(named: "Message-ID") == ["<m@x>"])
        #expect(try Self.convert("From: a@b\nSubject: s\n\nb\n")["Message-ID"] == nil)

        let text = "From: a@b\nSubject: s\n\nb\n"
        let lf = try Self.convert(text, domain: "forllm.local")
        let crlf = try Self.convert(text.replacingOccurrences(of: "\n", with: "\r\n"), domain: "forllm.local")
        let other = try Self.convert(text + "more\n", domain: "forllm.local")
        let id = try #require(lf["Message-ID"])
        #expect(id == crlf["Message-ID"])
        #expect(id != other["Message-ID"])
        #expect(MessageID(validating: id) != nil)
        #expect(id.hasSuffix("@forllm.local>"))
        // The first 128 bits of SHA-256 of the CRLF text, in hex (Python: hashlib.sha256(
        // b"From: a@b\r\nSubject: s\r\n\r\nb\r\n").hexdigest()[:32]).
        #expect(id == "<97a760866789d2e1bd82a1bac8df8897@forllm.local>")
    }

    @Test("a leading From_ line (git format-patch) is dropped; a malformed header is refused with its line")
    func separatorAndErrors() throws {
        let patch = try Self.convert("From 1234abcd Mon Sep 17 00:00:00 2001\nFrom: a@b\nSubject: [PATCH] x\n\n---\n")
        #expect(patch.fields.map(\.name) == ["From", "Subject"])
        #expect(throws: ArticleError.self) { _ = try Self.convert("just text\n") }
        #expect(throws: ArticleError.self) { _ = try Self.convert("") }
    }
}
