import Testing

@testable import NewsArticle

@Suite("X-FORLLM-Request")
struct ForumRequestTests {
    static let validValues: [(String, ForumRequest)] = [
        ("default", ForumRequest(who: .defaultPersona)),
        ("DEFAULT", ForumRequest(who: .defaultPersona)),
        ("none", ForumRequest(who: .none)),
        ("  None  ", ForumRequest(who: .none)),
        ("alice", ForumRequest(who: .personas(["alice"]))),
        ("alice, bob,carol", ForumRequest(who: .personas(["alice", "bob", "carol"]))),
        ("alice, Alice, bob, alice", ForumRequest(who: .personas(["alice", "bob"]))),
        (
            "alice, \"Dr. Who, PhD\" ; model=llama3.2 ; backend=gpu-box",
            ForumRequest(who: .personas(["alice", "Dr. Who, PhD"]), model: "llama3.2", backend: "gpu-box")
        ),
        ("default; MODEL=qwen2.5:7b", ForumRequest(who: .defaultPersona, model: "qwen2.5:7b")),
        ("default;model = \"my model\"", ForumRequest(who: .defaultPersona, model: "my model")),
        ("Code Reviewer", ForumRequest(who: .personas(["Code Reviewer"]))),
        ("\"default\"", ForumRequest(who: .personas(["default"]))),
        ("\"say \\\"hi\\\"\"", ForumRequest(who: .personas(["say \"hi\""]))),
        ("alice;", ForumRequest(who: .personas(["alice"]))),
        ("none; backend=cpu-box", ForumRequest(who: .none, backend: "cpu-box")),
        ("regenerate", ForumRequest(who: .regenerate)),
        (" Regenerate ; model=phi3", ForumRequest(who: .regenerate, model: "phi3")),
        ("\"regenerate\"", ForumRequest(who: .personas(["regenerate"]))),
        ("alice; task=summary", ForumRequest(who: .personas(["alice"]), task: .summary)),
        ("default; TASK = Summary; model=m", ForumRequest(who: .defaultPersona, model: "m", task: .summary)),
        ("alice; task=answer", ForumRequest(who: .personas(["alice"]), task: .answer))
    ]

    @Test("valid values", arguments: Self.validValues)
    func valid(_ value: String, expected: ForumRequest) throws {
        let request = try ForumRequest(parsing: value)
        #expect(request == expected)
        // headerValue parses back to the same request.
        #expect(try ForumRequest(parsing: request.headerValue) == request)
    }

    static let invalidValues: [(String, String)] = [
        ("", "X-FORLLM-Request is empty"),
        ("   ", "X-FORLLM-Request is empty"),
        ("alice,,bob", "X-FORLLM-Request: empty name in 'alice,,bob'"),
        ("alice,", "X-FORLLM-Request: empty name in 'alice,'"),
        ("; model=x", "X-FORLLM-Request: no name before ';'"),
        ("\"Dr. Who", "X-FORLLM-Request: unterminated quote in '\"Dr. Who'"),
        ("alice; model=\"llama", "X-FORLLM-Request: unterminated quote in '\"llama'"),
        ("alice; temperature=0.2", "X-FORLLM-Request: unknown parameter 'temperature'"),
        ("alice; model", "X-FORLLM-Request: parameter 'model' has no value"),
        ("alice; model=", "X-FORLLM-Request: parameter 'model' has no value"),
        ("alice; Model=a; model=b", "X-FORLLM-Request: parameter 'model' given twice"),
        ("alice; backend=a; backend=b", "X-FORLLM-Request: parameter 'backend' given twice"),
        ("none, alice", "X-FORLLM-Request: 'none' cannot be combined with other names"),
        ("alice, Default", "X-FORLLM-Request: 'default' cannot be combined with other names"),
        ("\"a\" b", "X-FORLLM-Request: unexpected text after the quoted name in '\"a\" b'"),
        ("alice, \"\"", "X-FORLLM-Request: empty name in 'alice, \"\"'"),
        ("alice; task=poem", "X-FORLLM-Request: unknown task 'poem' (allowed: answer, summary)"),
        ("alice; task=", "X-FORLLM-Request: parameter 'task' has no value"),
        ("alice; task=summary; task=answer", "X-FORLLM-Request: parameter 'task' given twice"),
        ("regenerate, alice", "X-FORLLM-Request: 'regenerate' cannot be combined with other names"),
        (
            "regenerate; task=summary",
            "X-FORLLM-Request: 'regenerate' takes no task (the new answer does what the old one did)"
        )
    ]

    @Test("invalid values, with the exact message", arguments: Self.invalidValues)
    func invalid(_ value: String, message: String) {
        #expect {
            try ForumRequest(parsing: value)
        } throws: { error in
            let error = error as? ArticleError
            return error?.code == .invalidRequest && error?.message == message
        }
    }

    @Test("headerValue quotes where needed")
    func headerValue() {
        let request = ForumRequest(
            who: .personas(["alice", "Dr. Who, PhD", "semi;colon", "none"]),
            model: "llama3.2",
            backend: "my box"
        )
        #expect(
            request.headerValue
                == "alice, \"Dr. Who, PhD\", \"semi;colon\", \"none\"; model=llama3.2; backend=\"my box\""
        )
        #expect(ForumRequest(who: .defaultPersona).headerValue == "default")
        #expect(ForumRequest(who: .none, model: "m").headerValue == "none; model=m")
        #expect(ForumRequest(who: .regenerate, backend: "b").headerValue == "regenerate; backend=b")
        #expect(ForumRequest(who: .personas(["regenerate"])).headerValue == "\"regenerate\"")
        #expect(ForumRequest(who: .personas(["a"]), task: .summary).headerValue == "a; task=summary")
    }

    @Test("the header of the tin fixture")
    func tinHeader() throws {
        let article = try Article(parsing: Fixtures.tin)
        let value = try #require(article[ForumRequest.headerName])
        #expect(try ForumRequest(parsing: value) == ForumRequest(who: .defaultPersona, model: "llama3.2"))
    }
}

@Suite("Mentions")
struct MentionsTests {
    static let cases: [(String, [[String]])] = [
        ("@alice", [["alice"]]),
        ("Hi @alice, what do you think?", [["alice"]]),
        ("@a:@b", [["a", "b"]]),
        ("@a:@b:@c please", [["a", "b", "c"]]),
        ("mail me at jane@example.org", []),
        ("(@bob)", [["bob"]]),
        ("@bob,", [["bob"]]),
        ("@BOB and @Alice", [["bob"], ["alice"]]),
        ("@alice @alice @bob @alice", [["alice"], ["bob"]]),
        ("@a:@b then @a", [["a", "b"], ["a"]]),
        ("@code-reviewer- thanks", [["code-reviewer"]]),
        ("@- nothing, @ nothing, @@double", []),
        ("x.@y _@z -@w @@v", []),
        ("über@alice", []),
        ("„@alice“", [["alice"]]),
        ("@a: @b", [["a"], ["b"]]),
        ("@a:b", [["a"]]),
        ("line one\n@mistral-de on line two", [["mistral-de"]]),
        ("@llama3 and @qwen2-5", [["llama3"], ["qwen2-5"]]),
        ("", [])
    ]

    @Test("mention chains", arguments: Self.cases)
    func chains(_ text: String, expected: [[String]]) {
        #expect(Mentions.chains(in: text) == expected)
    }

    @Test("mentions in quotes and signatures do not count after authoredText")
    func authored() throws {
        let text = ArticleText.authoredText(ArticleText.plainText(of: try Article(parsing: Fixtures.slrnFollowup)))
        #expect(Mentions.chains(in: text) == [["mistral-de"]])
        let article = try Article(parsing: Fixtures.thunderbird)
        let thunderbird = ArticleText.authoredText(ArticleText.plainText(of: article))
        #expect(Mentions.chains(in: thunderbird) == [["assistant"]])
    }
}
