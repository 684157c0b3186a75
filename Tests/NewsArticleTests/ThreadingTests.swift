import Testing

@testable import NewsArticle

@Suite("Threading")
struct ThreadingTests {
    @Test(
        "References parsing is tolerant",
        arguments: [
            ("<a@b> <c@d>", ["<a@b>", "<c@d>"]),
            ("<a@b><c@d>", ["<a@b>", "<c@d>"]),
            ("<a@b>\r\n\t<c@d>", ["<a@b>", "<c@d>"]),
            ("<a@b> (a comment <x@y>) <c@d>", ["<a@b>", "<c@d>"]),
            ("<a@b> junk <no-at-sign> <c d@e> <c@d>", ["<a@b>", "<c@d>"]),
            ("<junk <a@b>", ["<a@b>"]),
            ("<a@b", []),
            ("", []),
            ("<a@b>,<c@d>", ["<a@b>", "<c@d>"])
        ]
    )
    func parse(_ value: String, expected: [String]) {
        #expect(Threading.parseReferences(value).map(\.value) == expected)
    }

    static func ids(_ count: Int) -> [MessageID] {
        (1...count).map { MessageID.derived(from: "article-\($0)-of-a-long-thread", domain: "news.example.org") }
    }

    @Test("short chains are kept whole")
    func short() {
        let ids = Self.ids(5)
        let result = Threading.followupReferences(parentReferences: Array(ids.dropLast()), parentID: ids.last!)
        #expect(result == ids)
        #expect(Threading.followupReferences(parentReferences: [], parentID: ids[0]) == [ids[0]])
    }

    @Test("a chain of 100 is trimmed: first and last three kept, order kept")
    func trimmed() {
        let ids = Self.ids(100)
        let result = Threading.followupReferences(parentReferences: Array(ids.dropLast()), parentID: ids.last!)
        let joined = result.map(\.value).joined(separator: " ")
        #expect(joined.utf8.count <= Threading.maximumReferencesLength)
        #expect(result.first == ids.first)
        #expect(Array(result.suffix(3)) == Array(ids.suffix(3)))
        // Order kept: the result is a subsequence of the chain.
        var position = 0
        for id in result {
            guard let found = ids[position...].firstIndex(of: id) else {
                Issue.record("\(id) out of order")
                return
            }
            position = found + 1
        }
        // Trimming drops only as many as needed: one more would have fitted too long.
        let dropped = ids.count - result.count
        let withOneMore = [ids[0]] + ids[dropped..<ids.count]
        #expect(withOneMore.map(\.value).joined(separator: " ").utf8.count > Threading.maximumReferencesLength)
        // And the folded header is valid.
        let field = try? HeaderField(name: "References", value: joined)
        #expect(field != nil)
    }

    @Test("a small maximum keeps at least the first and the last three")
    func minimum() {
        let ids = Self.ids(10)
        let result = Threading.followupReferences(
            parentReferences: Array(ids.dropLast()),
            parentID: ids.last!,
            maximumLength: 10
        )
        #expect(result == [ids[0], ids[7], ids[8], ids[9]])
    }

    @Test(
        "reply subjects",
        arguments: [
            ("Hello", "Re: Hello"),
            ("Re: Hello", "Re: Hello"),
            ("RE: Hello", "Re: Hello"),
            ("re:Hello", "Re: Hello"),
            ("Re: Re: Re: Hello", "Re: Hello"),
            ("Re[2]: Hello", "Re: Hello"),
            ("Re^3: Hello", "Re: Hello"),
            ("Re(4): Hello", "Re: Hello"),
            ("AW: Re: Hello", "Re: Hello"),
            ("SV: Hello", "Re: Hello"),
            ("Re : Hello", "Re: Hello"),
            ("  Re:   Hello  ", "Re: Hello"),
            ("Regarding: Hello", "Re: Regarding: Hello"),
            ("Re", "Re: Re"),
            ("", "Re:"),
            ("Re: ", "Re:"),
            ("=?UTF-8?Q?Re=3A_Gr=C3=BC=C3=9Fe?=", "Re: Grüße"),
            ("Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", "Re: Grüße")
        ]
    )
    func replySubject(_ subject: String, expected: String) {
        let reply = Threading.replySubject(subject)
        #expect(reply == expected)
        #expect(!reply.lowercased().hasPrefix("re: re:"))
        #expect(Threading.replySubject(reply) == reply)
    }
}
