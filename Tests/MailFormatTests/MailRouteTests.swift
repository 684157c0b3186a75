import MailFormat
import NewsArticle
import Testing

@Suite("mail address routing")
struct MailRouteTests {
    @Test(
        "groups, personas and everything else",
        arguments: [
            ("forllm.general@forllm.local", MailRoute.group("forllm.general")),
            ("Forllm.General@FORLLM.LOCAL", .group("forllm.general")),
            ("<forllm.general@forllm.local>", .group("forllm.general")),
            ("General list <forllm.general@forllm.local>", .group("forllm.general")),
            ("\"Forum, general\" <forllm.general@forllm.local>", .group("forllm.general")),
            ("forllm.general@forllm.local (the forum)", .group("forllm.general")),
            ("assistant@personas.forllm.local", .persona(handle: "assistant")),
            ("Assistant <Assistant@Personas.Forllm.Local>", .persona(handle: "assistant")),
            ("=?UTF-8?Q?K=C3=B6chin?= <chef-anna@personas.forllm.local>", .persona(handle: "chef-anna")),
            ("jane@example.org", .unknown),
            ("forllm.general@personas.forllm.local", .unknown),
            ("chef@forllm.local.example", .unknown),
            ("bad..name@forllm.local", .unknown),
            ("\"quoted\"@forllm.local", .unknown),
            ("x@sub.forllm.local", .unknown)
        ]
    )
    func route(recipient: String, expected: MailRoute) {
        #expect(MailRoute(recipient: recipient, hostname: "forllm.local") == expected)
    }

    @Test("the hostname compares case-insensitively; text without an address has no route")
    func hostname() {
        #expect(MailRoute(address: "g@News.Example", hostname: "news.example") == .group("g"))
        #expect(MailRoute(address: "g@news.example", hostname: "NEWS.example") == .group("g"))
        #expect(MailRoute(recipient: "no address here", hostname: "forllm.local") == nil)
    }

    @Test("address lists: commas in quotes and comments, groups, empty groups")
    func lists() {
        let value =
            "\"Doe, Jane\" <jane@example.org>, bob@example.net (Bob, the baker), "
            + "Forum: forllm.general@forllm.local, assistant@personas.forllm.local;, undisclosed-recipients:;"
        #expect(
            Mailbox.addressList(parsing: value).map(\.address) == [
                "jane@example.org", "bob@example.net", "forllm.general@forllm.local",
                "assistant@personas.forllm.local"
            ]
        )
        #expect(Mailbox.addressList(parsing: "").isEmpty)
        #expect(Mailbox.addressList(parsing: "undisclosed-recipients:;").isEmpty)
    }
}
