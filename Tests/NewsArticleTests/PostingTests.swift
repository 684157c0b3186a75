import Foundation
import Testing

@testable import NewsArticle

@Suite("validateForPosting")
struct PostingTests {
    /// 2026-11-25T18:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_629_600)
    static let policy = PostingPolicy()

    @Test("the fixtures are valid posts", arguments: Fixtures.all.map(\.bytes))
    func fixtures(_ bytes: [UInt8]) throws {
        let article = try Article(parsing: bytes)
        let facts = try article.validateForPosting(now: Self.now, policy: Self.policy)
        #expect(facts.newsgroups.contains("forllm.general"))
        #expect(facts.messageID != nil)
        #expect(facts.date != nil)
    }

    @Test("facts of the slrn follow-up")
    func slrnFacts() throws {
        let facts = try Article(parsing: Fixtures.slrnFollowup).validateForPosting(now: Self.now, policy: Self.policy)
        #expect(facts.newsgroups == ["forllm.general"])
        #expect(facts.followupTo == nil)
        #expect(facts.from == Mailbox(displayName: "Alice Example", address: "alice@example.org"))
        #expect(facts.subject == "Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=")
        #expect(facts.messageID?.value == "<slrn10k2abc.1f4.alice@example.org>")
        #expect(facts.references.map(\.value) == ["<8a3f6c1e-2b4d-4e5f-9a7b-1c2d3e4f5a6b@example.de>"])
        #expect(facts.date == NewsDate.parse("Thu, 26 Nov 2026 08:01:02 +0000"))
    }

    @Test("Message-ID and Date may be absent; Followup-To is read")
    func optional() throws {
        let bytes = wire(
            "From: a@example.org\nNewsgroups: forllm.general, forllm.test\nSubject: s\n"
                + "Followup-To: forllm.test\nReferences: <x@y>  <bad> <z@w>\n\nbody\n"
        )
        let facts = try Article(parsing: bytes).validateForPosting(now: Self.now, policy: Self.policy)
        #expect(facts.messageID == nil)
        #expect(facts.date == nil)
        #expect(facts.newsgroups == ["forllm.general", "forllm.test"])
        #expect(facts.followupTo == ["forllm.test"])
        #expect(facts.references.map(\.value) == ["<x@y>", "<z@w>"])
    }

    @Test("Followup-To: poster means no groups")
    func poster() throws {
        let facts = try Article(parsing: postable(extraHeaders: "Followup-To: Poster\n"))
            .validateForPosting(now: Self.now, policy: Self.policy)
        #expect(facts.followupTo == nil)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var bytes: [UInt8]
        var code: ArticleError.Code
        var message: String
        var testDescription: String { self.message }
    }

    static let refusals: [Refusal] = [
        Refusal(
            bytes: wire("From: a@example.org\nNewsgroups: forllm.general\n\nbody\n"),
            code: .missingHeader,
            message: "Subject header missing"
        ),
        Refusal(
            bytes: wire("From: a@example.org\nSubject: s\n\nbody\n"),
            code: .missingHeader,
            message: "Newsgroups header missing"
        ),
        Refusal(
            bytes: wire("Newsgroups: forllm.general\nSubject: s\n\nbody\n"),
            code: .missingHeader,
            message: "From header missing"
        ),
        Refusal(
            bytes: wire("From: a@example.org\nNewsgroups: forllm.general\nSubject:  \n\nbody\n"),
            code: .missingHeader,
            message: "Subject header is empty"
        ),
        Refusal(
            bytes: postable(extraHeaders: "subject: again\n"),
            code: .duplicateHeader,
            message: "Subject header appears more than once"
        ),
        Refusal(
            bytes: postable(extraHeaders: "MESSAGE-ID: <other@example.org>\n"),
            code: .duplicateHeader,
            message: "Message-ID header appears more than once"
        ),
        Refusal(
            bytes: wire("From: a@example.org\nNewsgroups: Comp..foo\nSubject: s\n\nbody\n"),
            code: .invalidNewsgroups,
            message: "Newsgroups: 'Comp..foo' is not a valid newsgroup name"
        ),
        Refusal(
            bytes: postable(extraHeaders: "Followup-To: bad group\n"),
            code: .invalidNewsgroups,
            message: "Followup-To: 'bad group' is not a valid newsgroup name"
        ),
        Refusal(
            bytes: postable(date: "xyz"),
            code: .invalidDate,
            message: "Date: 'xyz' is not a valid date"
        ),
        Refusal(
            bytes: postable(date: "Thu, 1 Oct 2026 12:00:00 +0000"),
            code: .dateOutOfRange,
            message: "Date is more than 14 days in the past (2026-10-01)"
        ),
        Refusal(
            bytes: postable(date: "Fri, 1 Jan 2027 00:00:00 +0000"),
            code: .dateOutOfRange,
            message: "Date is more than 1 day in the future (2027-01-01)"
        ),
        // As INN refuses them (441), and for the same reasons.
        Refusal(
            bytes: postable(body: ""),
            code: .invalidBody,
            message: "the article has no body: after the header lines, an empty line and then the text"
        ),
        Refusal(
            bytes: wire("From: a@example.org\nNewsgroups: forllm.general\nSubject: only headers\n"),
            code: .invalidBody,
            message: "the article has no body: after the header lines, an empty line and then the text"
        ),
        Refusal(
            bytes: postable(extraHeaders: "Injection-Date: garbage\n"),
            code: .invalidDate,
            message: "Injection-Date: 'garbage' is not a valid date"
        ),
        Refusal(
            bytes: postable(extraHeaders: "Injection-Date: Fri, 1 Jan 2027 00:00:00 +0000\n"),
            code: .dateOutOfRange,
            message: "Injection-Date is more than 1 day in the future (2027-01-01)"
        ),
        Refusal(
            bytes: postable(extraHeaders: "Injection-Date: Thu, 1 Oct 2026 12:00:00 +0000\n"),
            code: .dateOutOfRange,
            message: "Injection-Date is more than 14 days in the past (2026-10-01)"
        ),
        Refusal(
            bytes: postable(extraHeaders: "Expires: next week\n"),
            code: .invalidDate,
            message: "Expires: 'next week' is not a valid date"
        ),
        Refusal(
            bytes: wire("From: nobody\nNewsgroups: forllm.general\nSubject: s\n\nbody\n"),
            code: .invalidFrom,
            message: "From: 'nobody' has no valid address (local@domain)"
        ),
        Refusal(
            bytes: wire("From: a@example.org\nNewsgroups: forllm.general\nSubject: s\nMessage-ID: abc\n\nb\n"),
            code: .invalidMessageID,
            message: "Message-ID: 'abc' is not a valid message-id: it must be enclosed in '<' and '>'"
        )
    ]

    @Test("refusals name the header and the problem", arguments: Self.refusals)
    func refused(_ refusal: Refusal) throws {
        let article = try Article(parsing: refusal.bytes)
        #expect {
            try article.validateForPosting(now: Self.now, policy: Self.policy)
        } throws: { error in
            let error = error as? ArticleError
            return error?.code == refusal.code && error?.message == refusal.message
        }
    }

    @Test("accepted: a body of blank lines, a valid Injection-Date, an Expires in the past; no body in an import")
    func acceptedEdges() throws {
        let blankBody = try Article(parsing: postable(body: "\n \n"))
        _ = try blankBody.validateForPosting(now: Self.now, policy: Self.policy)
        let dated = try Article(
            parsing: postable(
                extraHeaders: "Injection-Date: Wed, 25 Nov 2026 17:30:00 +0000\n"
                    + "Expires: Mon, 1 Jan 2001 00:00:00 +0000\n"
            )
        )
        _ = try dated.validateForPosting(now: Self.now, policy: Self.policy)
        var archive = Self.policy
        archive.requiresBody = false
        _ = try Article(parsing: postable(body: "")).validateForPosting(now: Self.now, policy: archive)
    }

    @Test("the size limit")
    func size() throws {
        let article = try Article(
            parsing: postable(body: String(repeating: String(repeating: "x", count: 99) + "\n", count: 12_000))
        )
        let size = article.serialized.count
        #expect {
            try article.validateForPosting(now: Self.now, policy: Self.policy)
        } throws: { error in
            (error as? ArticleError)?.message == "article is \(size) bytes, the limit is 1048576"
        }
        let exact = PostingPolicy(maximumBytes: size)
        #expect(throws: Never.self) { try article.validateForPosting(now: Self.now, policy: exact) }
    }

    @Test("the date window follows the policy")
    func dateWindow() throws {
        let article = try Article(parsing: postable(date: "Wed, 25 Nov 2026 12:00:00 +0000"))
        let strict = PostingPolicy(maximumAge: 3600, maximumFutureSkew: 60)
        #expect {
            try article.validateForPosting(now: Self.now, policy: strict)
        } throws: { error in
            (error as? ArticleError)?.message == "Date is more than 1 hour in the past (2026-11-25)"
        }
        let lenient = PostingPolicy(maximumAge: 7 * 3600)
        #expect(throws: Never.self) { try article.validateForPosting(now: Self.now, policy: lenient) }
    }

    @Test("non-singleton headers may repeat")
    func repeats() throws {
        let article = try Article(parsing: postable(extraHeaders: "X-Trace: 1\nX-Trace: 2\nComments: a\nComments: b\n"))
        #expect(throws: Never.self) { try article.validateForPosting(now: Self.now, policy: Self.policy) }
    }

    @Test("lines over 998 octets and NUL in the body are refused, saying where")
    func lineLimits() throws {
        let head = "From: a@example.org\nNewsgroups: forllm.general\nSubject: s\n"
        let ok = wire(head + "\nfirst\n" + String(repeating: "x", count: 998) + "\n")
        _ = try Article(parsing: ok).validateForPosting(now: Self.now, policy: Self.policy)
        let long = wire(head + "\nfirst\n" + String(repeating: "x", count: 999) + "\nlast\n")
        let error = #expect(throws: ArticleError.self) {
            try Article(parsing: long).validateForPosting(now: Self.now, policy: Self.policy)
        }
        #expect(error?.code == .lineTooLong)
        #expect(error?.message == "line 2 of the body is longer than 998 octets; wrap it (RFC 5322 §2.1.1)")
        let nul = wire(head + "\na\u{0}b\n")
        let nulError = #expect(throws: ArticleError.self) {
            try Article(parsing: nul).validateForPosting(now: Self.now, policy: Self.policy)
        }
        #expect(nulError?.code == .invalidBody)
        // A long header is fine folded, refused as one line.
        let words = (1...200).map { "<id\($0)@example.org>" }
        let folded = wire(head + "References: " + words.joined(separator: "\n ") + "\n\nbody\n")
        #expect(
            try Article(parsing: folded).validateForPosting(now: Self.now, policy: Self.policy).references.count == 200
        )
        let unfolded = wire(head + "References: " + words.joined(separator: " ") + "\n\nbody\n")
        let headerError = #expect(throws: ArticleError.self) {
            try Article(parsing: unfolded).validateForPosting(now: Self.now, policy: Self.policy)
        }
        #expect(headerError?.code == .lineTooLong)
        #expect(headerError?.message.hasPrefix("References: a header line is longer than 998 octets") == true)
    }
}
