import Foundation
import Testing

@testable import NewsArticle

/// Hostile and random input: nothing traps, and what parses round-trips.
@Suite("Robustness")
struct RobustnessTests {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Pieces that exercise the parsers' special cases.
    static let pieces: [[UInt8]] =
        [
            "\r\n", "\n", "\r", ": ", " ", "\t", "=?", "?=", "=?UTF-8?Q?", "=?UTF-8?B?", "<", ">", "@", "\"", "(", ")",
            "\\", ",", ";", "=", "--", "-- \r\n", "> ", "Subject", "From: ",
            "Content-Type: multipart/mixed; boundary=b",
            "--b\r\n", "--b--", "format=flowed", "delsp=yes", "Content-Transfer-Encoding: base64\r\n",
            "quoted-printable",
            "=C3", "=\r\n", "ä", "🎉", "\u{0}", "@alice", ":@bob", "```", "Nov", "2026", "17:28:35", "+0100", "GMT"
        ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0x80]]

    static func randomBytes(_ generator: inout Generator, pieces count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<count {
            if Int.random(in: 0..<4, using: &generator) == 0 {
                bytes.append(UInt8.random(in: 0...255, using: &generator))
            } else {
                bytes += Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &generator)]
            }
        }
        return bytes
    }

    @Test("random articles never trap; parsed ones serialise back", arguments: 0..<8)
    func randomArticles(seed: UInt64) throws {
        var generator = Generator(state: seed)
        for _ in 0..<300 {
            var bytes = Self.randomBytes(&generator, pieces: Int.random(in: 0..<60, using: &generator))
            if Bool.random(using: &generator) {
                bytes = wire("Subject: x\nContent-Type: text/plain; format=flowed\n\n") + bytes
            }
            guard let article = try? Article(parsing: bytes) else { continue }
            let serialized = article.serialized
            // Exact unless the input lacked the empty line that ends the header section.
            if let reparsed = try? Article(parsing: serialized) {
                #expect(reparsed == article)
            } else {
                Issue.record("serialised article does not parse: \(bytes)")
            }
            _ = ArticleText.authoredText(ArticleText.plainText(of: article))
            _ = try? article.validateForPosting(now: Date(), policy: PostingPolicy())
            let line = OverviewFields(article: article).line(xref: "h g:1")
            #expect(!line.contains(0x0A) && !line.contains(0x0D))
        }
    }

    @Test("random header values never trap", arguments: 0..<4)
    func randomValues(seed: UInt64) {
        var generator = Generator(state: seed &+ 100)
        for _ in 0..<500 {
            let count = Int.random(in: 0..<30, using: &generator)
            let value = String(decoding: Self.randomBytes(&generator, pieces: count), as: UTF8.self)
            _ = EncodedWord.decode(value)
            _ = NewsDate.parse(value)
            _ = try? Mailbox(parsing: value)
            _ = try? ForumRequest(parsing: value)
            _ = Threading.parseReferences(value)
            _ = Threading.replySubject(value)
            _ = Mentions.chains(in: value)
            _ = ContentType(parsing: value)
            _ = try? NewsgroupName.parseList(value)
            _ = Wrapping.flowed(value, width: Int.random(in: 1...80, using: &generator))
            let clean = String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
            #expect(EncodedWord.decode(EncodedWord.encodeUnstructured(clean)) == clean)
            #expect(MessageID(validating: MessageID.derived(from: value, domain: "forllm.local").value) != nil)
        }
    }

    @Test("pathological sizes stay fast")
    func pathological() throws {
        let many = String(repeating: "<", count: 100_000)
        #expect(Threading.parseReferences(many).isEmpty)
        let words = String(repeating: "=?UTF-8?Q?", count: 20_000)
        #expect(EncodedWord.decode(words) == words)
        let comments = String(repeating: "(", count: 50_000)
        #expect(NewsDate.parse(comments) == nil)
        #expect(throws: ArticleError.self) { try Mailbox(parsing: comments) }
        let longLine = String(repeating: "x", count: 200_000)
        let wrapped = Wrapping.flowed(longLine)
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.utf8.count <= 998 })
        let manyFields = wire(String(repeating: "X-A: b\n c\n", count: 20_000) + "\nbody")
        #expect(try Article(parsing: manyFields).fields.count == 20_000)
    }
}
