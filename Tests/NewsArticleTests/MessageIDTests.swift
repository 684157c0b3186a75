import Testing

@testable import NewsArticle

@Suite("MessageID")
struct MessageIDTests {
    @Test(
        "valid identifiers",
        arguments: [
            "<20261125.1730.abc@forllm.local>", "<a@b>", "<slrn10k2abc.1f4.alice@example.org>",
            "<\"quoted@left\"@example.org>", "<abc$def%ghi@[127.0.0.1]>", "<x.y+z=w@host>",
            "<" + String(repeating: "a", count: 246) + "@b>"
        ]
    )
    func valid(_ text: String) throws {
        let id = try MessageID(text)
        #expect(id.value == text)
        #expect(id.description == text)
        #expect(MessageID(validating: text) != nil)
    }

    @Test(
        "invalid identifiers",
        arguments: [
            ("", "'' is not a valid message-id: it must be enclosed in '<' and '>'"),
            ("a@b", "'a@b' is not a valid message-id: it must be enclosed in '<' and '>'"),
            ("<a@b", "'<a@b' is not a valid message-id: it must be enclosed in '<' and '>'"),
            (" <a@b>", "' <a@b>' is not a valid message-id: it must be enclosed in '<' and '>'"),
            ("<ab>", "'<ab>' is not a valid message-id: no '@'"),
            ("<a@b@c>", "'<a@b@c>' is not a valid message-id: more than one '@'"),
            ("<@b>", "'<@b>' is not a valid message-id: empty before or after '@'"),
            ("<a@>", "'<a@>' is not a valid message-id: empty before or after '@'"),
            ("<a b@c>", "'<a b@c>' is not a valid message-id: it contains white space"),
            ("<a>b@c>", "'<a>b@c>' is not a valid message-id: '<' or '>' inside"),
            ("<a<b@c>", "'<a<b@c>' is not a valid message-id: '<' or '>' inside"),
            ("<ä@b>", "'<ä@b>' is not a valid message-id: it contains a character that is not printable US-ASCII")
        ]
    )
    func invalid(_ text: String, message: String) {
        #expect(MessageID(validating: text) == nil)
        #expect {
            try MessageID(text)
        } throws: { error in
            let error = error as? ArticleError
            return error?.code == .invalidMessageID && error?.message == message
        }
    }

    @Test("at most 250 octets")
    func length() {
        let long = "<" + String(repeating: "a", count: 247) + "@b>"
        #expect(long.utf8.count == 251)
        #expect(MessageID(validating: long) == nil)
    }

    @Test("generated identifiers are valid and distinct")
    func generated() {
        var seen = Set<MessageID>()
        for _ in 0..<1000 {
            let id = MessageID.generate(domain: "forllm.local")
            #expect(id.value.hasSuffix("@forllm.local>"))
            #expect(MessageID(validating: id.value) == id)
            seen.insert(id)
        }
        #expect(seen.count == 1000)
        #expect(MessageID(validating: MessageID.generate(domain: "bad domain>").value) != nil)
        #expect(MessageID.generate(domain: "").value.hasSuffix("@forllm.invalid>"))
    }

    @Test(
        "derived identifiers are deterministic and valid",
        arguments: [
            "request-42", "request 42 > persona \"x\"", "", "...", "a..b", "@@@", "ключ", "<x@y>",
            String(repeating: "long key ", count: 100)
        ]
    )
    func derived(_ key: String) {
        let first = MessageID.derived(from: key, domain: "forllm.local")
        let second = MessageID.derived(from: key, domain: "forllm.local")
        #expect(first == second)
        #expect(MessageID(validating: first.value) == first)
        #expect(first.value.utf8.count <= 250)
        #expect(first.value.hasSuffix("@forllm.local>"))
    }

    @Test("derived identifiers of distinct keys are distinct")
    func derivedDistinct() {
        let keys = ["a b", "a_b", "a_20b", "a-b", "a.b", "a..b", "A b", "request-1", "request-2"]
        let ids = Set(keys.map { MessageID.derived(from: $0, domain: "forllm.local") })
        #expect(ids.count == keys.count)
        let longA = String(repeating: "x", count: 400) + "a"
        let longB = String(repeating: "x", count: 400) + "b"
        #expect(MessageID.derived(from: longA, domain: "h") != MessageID.derived(from: longB, domain: "h"))
        #expect(MessageID.derived(from: "request-42", domain: "forllm.local").value == "<request-42@forllm.local>")
    }

    @Test("ordering is by value")
    func ordering() throws {
        #expect(try MessageID("<a@x>") < MessageID("<b@x>"))
    }
}
