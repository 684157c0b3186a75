import Testing

@testable import NewsArticle

@Suite("Mailbox")
struct MailboxTests {
    @Test(
        "forms of From",
        arguments: [
            ("\"Doe, Jane\" <jane@example.org>", "Doe, Jane", "jane@example.org", nil),
            ("Jane Doe <jane@example.org>", "Jane Doe", "jane@example.org", nil),
            ("=?UTF-8?Q?J=C3=BCrgen?= <j@example.org>", "Jürgen", "j@example.org", nil),
            ("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>", "Jürgen Müller", "juergen@example.de", nil),
            ("=?ISO-8859-1?Q?M=FCller=2C_Hans?= <hans@example.de>", "Müller, Hans", "hans@example.de", nil),
            ("jane@example.org (Jane Doe)", nil, "jane@example.org", "Jane Doe"),
            ("jane@example.org", nil, "jane@example.org", nil),
            ("<jane@example.org>", nil, "jane@example.org", nil),
            ("  Jane   Q.  Doe   <jane@example.org>  ", "Jane Q. Doe", "jane@example.org", nil),
            ("\"Jane \\\"JD\\\" Doe\" <jane@example.org>", "Jane \"JD\" Doe", "jane@example.org", nil),
            ("Jane (the first) <jane@example.org>", "Jane", "jane@example.org", nil),
            ("<jane@example.org> (Jane)", nil, "jane@example.org", "Jane"),
            ("\"\" <jane@example.org>", nil, "jane@example.org", nil),
            ("Jürgen <j@example.de>", "Jürgen", "j@example.de", nil),
            ("a@b.c, other@example.org", nil, "a@b.c", nil),
            ("Doe, Jane <jane@example.org>", "Jane", "jane@example.org", nil),
            ("<@relay.example:jane@example.org>", nil, "jane@example.org", nil),
            ("\"quoted local\"@example.org", nil, "\"quoted local\"@example.org", nil)
        ] as [(String, String?, String, String?)]
    )
    func parses(_ value: String, name: String?, address: String, comment: String?) throws {
        let mailbox = try Mailbox(parsing: value)
        #expect(mailbox.displayName == name)
        #expect(mailbox.address == address)
        #expect(mailbox.comment == comment)
    }

    @Test(
        "no usable address",
        arguments: [
            "", "Jane Doe", "jane", "@example.org", "jane@", "<jane>", "Jane <jane doe@example.org>", "<a@b@c>",
            "Jane <>", "(only a comment)"
        ]
    )
    func refused(_ value: String) {
        #expect {
            try Mailbox(parsing: value)
        } throws: { error in
            (error as? ArticleError)?.code == .invalidFrom
        }
    }

    @Test("friendlyName prefers the display name, then the comment, then the local part")
    func friendlyName() throws {
        #expect(try Mailbox(parsing: "Jane Doe <jane@example.org>").friendlyName == "Jane Doe")
        #expect(try Mailbox(parsing: "jane@example.org (Jane D.)").friendlyName == "Jane D.")
        #expect(try Mailbox(parsing: "jane@example.org").friendlyName == "jane")
        #expect(try Mailbox(parsing: "\"j d\"@example.org").friendlyName == "j d")
        #expect(Mailbox(displayName: "  ", address: "x@y.z").friendlyName == "x")
    }

    @Test(
        "headerValue",
        arguments: [
            (Mailbox(displayName: "Jane Doe", address: "jane@example.org"), "Jane Doe <jane@example.org>"),
            (Mailbox(displayName: "Doe, Jane", address: "jane@example.org"), "\"Doe, Jane\" <jane@example.org>"),
            (Mailbox(displayName: "Jürgen", address: "j@example.org"), "=?UTF-8?Q?J=C3=BCrgen?= <j@example.org>"),
            (Mailbox(displayName: nil, address: "jane@example.org"), "jane@example.org"),
            (Mailbox(displayName: "", address: "jane@example.org"), "jane@example.org")
        ]
    )
    func headerValue(_ mailbox: Mailbox, expected: String) throws {
        #expect(mailbox.headerValue == expected)
        // And it parses back to the same mailbox.
        let parsed = try Mailbox(parsing: mailbox.headerValue)
        #expect(parsed.address == mailbox.address)
        #expect(parsed.displayName == (mailbox.displayName?.isEmpty == false ? mailbox.displayName : nil))
    }

    @Test("the comment form is written with the name in front")
    func commentHeaderValue() throws {
        let mailbox = try Mailbox(parsing: "jane@example.org (Jane Doe)")
        #expect(mailbox.headerValue == "Jane Doe <jane@example.org>")
    }
}
