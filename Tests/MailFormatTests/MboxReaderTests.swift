import Foundation
import MailFormat
import NewsArticle
import Testing

@Suite("mbox reading")
struct MboxReaderTests {
    /// Reads `bytes` fed in chunks of `chunkSize` octets.
    static func read(
        _ bytes: [UInt8],
        chunkSize: Int = 1 << 20,
        quoting: MboxReader.Quoting = .mboxrd
    ) throws -> [MboxMessage] {
        var reader = MboxReader(quoting: quoting)
        var messages: [MboxMessage] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            messages += try reader.read(bytes[start..<end])
            start = end
        }
        messages += try reader.finish()
        #expect(reader.bytesRead == bytes.count)
        #expect(reader.messagesRead == messages.count)
        return messages
    }

    /// The body of a message (after the first empty line), as text.
    static func body(_ message: MboxMessage) -> String {
        let text = String(decoding: message.bytes, as: UTF8.self)
        let separator = text.contains("\r\n\r\n") ? "\r\n\r\n" : "\n\n"
        guard let range = text.range(of: separator) else { return "" }
        return String(text[range.upperBound...])
    }

    @Test("a real-world archive: three messages, separators, bodies unquoted, last without newline")
    func archive() throws {
        let messages = try Self.read(Array(MboxFixtures.listArchive.utf8))
        #expect(messages.count == 3)
        #expect(messages.map(\.envelopeSender) == ["jane@example.org", "bob@example.net", "carol@example.com"])
        #expect(messages[0].separator == "jane@example.org Mon Nov 30 09:15:02 2026")
        #expect(messages.map(Self.body) == MboxFixtures.listArchiveBodies)
        // The separating blank line belongs to the format: the first message ends with its text.
        #expect(messages[0].bytes.suffix(2) != [10, 10])
        // Headers come through untouched, folding included.
        let first = try Article(parsing: MailConversionTests.crlf(messages[0].bytes))
        #expect(first["List-Id"] == "Bread lovers <bread.lists.example.net>")
        #expect(first.values(named: "Received").count == 1)
    }

    @Test("split anywhere, the chunks give the same messages", arguments: [1, 2, 3, 7, 64, 1000])
    func chunked(size: Int) throws {
        let bytes = Array(MboxFixtures.listArchive.utf8)
        #expect(try Self.read(bytes, chunkSize: size) == (try Self.read(bytes)))
    }

    @Test("CRLF files read like LF files, line ends kept")
    func crlf() throws {
        let lf = Array(MboxFixtures.listArchive.utf8)
        let crlf = MailConversionTests.crlf(lf)
        let messages = try Self.read(crlf, chunkSize: 5)
        #expect(messages.count == 3)
        #expect(messages[0].separator == "jane@example.org Mon Nov 30 09:15:02 2026")
        #expect(
            messages.map(Self.body)
                == MboxFixtures.listArchiveBodies.map { $0.replacingOccurrences(of: "\n", with: "\r\n") }
        )
        // Without its blank separator line: the message ends in one CRLF.
        #expect(Array(messages[1].bytes.suffix(4)) != [13, 10, 13, 10])
    }

    @Test("mboxo unquotes only '>From ', mboxrd every '>+From '")
    func quoting() throws {
        let mbox = Array(
            "From a@b Thu Jan  1 00:00:00 1970\nS: x\n\n>From one\n>>From two\n>>>From three\n> From four\n".utf8
        )
        let rd = try Self.read(mbox, quoting: .mboxrd)
        let o = try Self.read(mbox, quoting: .mboxo)
        #expect(Self.body(rd[0]) == "From one\n>From two\n>>From three\n> From four\n")
        #expect(Self.body(o[0]) == "From one\n>>From two\n>>>From three\n> From four\n")
    }

    @Test("blank lines before the first separator are skipped; text there means no mbox")
    func notMbox() throws {
        let leading = try Self.read(Array("\n\r\nFrom a@b x\nS: y\n\nbody\n".utf8))
        #expect(leading.count == 1)
        #expect(String(decoding: leading[0].bytes, as: UTF8.self) == "S: y\n\nbody\n")
        let error = try #require(throws: MailFormatError.self) {
            _ = try Self.read(Array("Subject: a lone message\n\nbody\n".utf8))
        }
        #expect(error.code == .notMbox)
        #expect(error.message.contains("Subject: a lone message"))
    }

    @Test("an empty input and a separator without a message give no messages")
    func empty() throws {
        #expect(try Self.read([]).isEmpty)
        #expect(try Self.read(Array("From a@b x\n\n".utf8)).isEmpty)
        let two = try Self.read(Array("From a@b x\nFrom c@d y\nS: z\n\nb".utf8))
        #expect(two.count == 1)
        #expect(two[0].envelopeSender == "c@d")
    }

    @Test("a message's own empty last line stays; only the separating one goes")
    func trailingBlankLines() throws {
        let messages = try Self.read(Array("From a@b x\nS: y\n\nbody\n\n\nFrom c@d y\nS: z\n\nb\n\n".utf8))
        #expect(messages.map { String(decoding: $0.bytes, as: UTF8.self) } == ["S: y\n\nbody\n\n", "S: z\n\nb\n"])
    }
}
