import Testing

@testable import NewsArticle

@Suite("NewsgroupName")
struct NewsgroupNameTests {
    @Test(
        "valid names",
        arguments: [
            "forllm.general", "a", "comp.lang.c++", "alt.foo-bar_baz", "x.1.2", String(repeating: "a", count: 250)
        ]
    )
    func valid(_ name: String) {
        #expect(NewsgroupName.isValid(name))
    }

    @Test(
        "invalid names",
        arguments: [
            "", "Comp.foo", "comp..foo", ".comp", "comp.", "comp foo", "comp,foo", "cömp", "comp/foo", "comp*",
            String(repeating: "a", count: 251)
        ]
    )
    func invalid(_ name: String) {
        #expect(!NewsgroupName.isValid(name))
    }

    @Test(
        "lists",
        arguments: [
            ("forllm.general", ["forllm.general"]),
            ("forllm.general,forllm.test", ["forllm.general", "forllm.test"]),
            (" forllm.test , forllm.general ", ["forllm.test", "forllm.general"]),
            ("a,\r\n b", ["a", "b"]),
            ("a,b,a", ["a", "b"]),
            ("a,,b,", ["a", "b"])
        ]
    )
    func lists(_ value: String, expected: [String]) throws {
        #expect(try NewsgroupName.parseList(value) == expected)
    }

    @Test(
        "invalid lists",
        arguments: [
            ("", "no newsgroup named"),
            (" , ", "no newsgroup named"),
            ("forllm.general,Comp..foo", "'Comp..foo' is not a valid newsgroup name"),
            ("a b", "'a b' is not a valid newsgroup name")
        ]
    )
    func invalidLists(_ value: String, message: String) {
        #expect {
            try NewsgroupName.parseList(value)
        } throws: { error in
            let error = error as? ArticleError
            return error?.code == .invalidNewsgroups && error?.message == message
        }
    }
}
