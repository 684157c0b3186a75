import NNTPCore
import Testing

@Suite("Wildmat")
struct WildmatTests {
    static let rfc3977Fixtures: [(pattern: String, text: String, matches: Bool)] = [
        ("*", "anything", true),
        ("*", "", true),
        ("forllm.*", "forllm.general", true),
        ("forllm.*", "misc.test", false),
        ("forllm.?eneral", "forllm.general", true),
        ("forllm.?eneral", "forllm.eneral", false),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false),
        // RFC 3977 §4.4 examples: last match wins.
        ("a*,!*b,*c*", "aaa", true),
        ("a*,!*b,*c*", "abb", false),
        ("a*,!*b,*c*", "ccb", true),
        ("a*,!*b,*c*", "xxx", false),
        ("!a*", "abc", false),
        ("!a*", "xyz", false),
        ("*,!misc.*", "misc.test", false),
        ("*,!misc.*", "comp.lang", true),
        // Non-ASCII: ? is one character.
        ("gr?n", "grün", true),
        ("gr??n", "grün", false),
        // Classes and escapes are accepted as in INN's uwildmat.
        ("[ab]*", "alpha", true),
        ("[ab]*", "gamma", false),
        ("a\\*", "a*", true),
        ("a\\*", "ab", false)
    ]

    @Test("RFC 3977 wildmats", arguments: Self.rfc3977Fixtures)
    func rfc3977(pattern: String, text: String, matches: Bool) throws {
        #expect(try Wildmat(pattern).matches(text) == matches)
    }

    static let uniwildmatFixtures: [(pattern: String, text: String, matches: Bool)] = [
        ("*pat*", "a pattern here", true),
        ("*pat*", "no match", false),
        // Thunderbird's case-insensitive search encodes each letter as a class.
        ("*[Hh][Ee][Ll][Ll][Oo]*", "Say HeLLo world", true),
        ("*[Hh][Ee][Ll][Ll][Oo]*", "Say Help", false),
        ("[a-c]x", "bx", true),
        ("[a-c]x", "dx", false),
        ("[^a-c]x", "dx", true),
        ("[^a-c]x", "ax", false),
        ("[]]", "]", true),
        ("[a\\]]", "]", true),
        ("a,b", "a,b", true),
        ("a,b", "a", false),
        ("\\[x\\]", "[x]", true),
        ("*\\**", "has * star", true),
        ("?", "", false),
        ("*a b*", "xa by", true)
    ]

    @Test("uniwildmats (XPAT)", arguments: Self.uniwildmatFixtures)
    func uniwildmat(pattern: String, text: String, matches: Bool) throws {
        #expect(try Wildmat(pattern, syntax: .uniwildmat).matches(text) == matches)
    }

    @Test("invalid wildmats", arguments: ["", ",", "a,", ",a", "a,,b", "[abc", "abc\\", "[z-a]", "!"])
    func invalid(pattern: String) {
        #expect(throws: NNTPParserError.self) {
            try Wildmat(pattern)
        }
    }

    @Test("479 stars match instantly, with and without a match")
    func manyStars() throws {
        let stars = String(repeating: "*", count: 479)
        let text = String(repeating: "a", count: 10_000)
        #expect(try Wildmat(stars).matches(text))
        // Stars separated by literals cannot be merged; the automaton still takes O(n·m).
        let alternating = String(repeating: "*a", count: 239) + "b"
        let uniwildmat = try Wildmat(alternating, syntax: .uniwildmat)
        let wildmat = try Wildmat(alternating)
        let clock = ContinuousClock()
        var results: [Bool] = []
        let elapsed = clock.measure {
            results = [uniwildmat.matches(text), wildmat.matches(text + "b")]
        }
        #expect(results == [false, true])
        // A guard against backtracking, not a speed target: a backtracking matcher needs on the
        // order of 2^239 steps here and never finishes, this one about 5 million (under a second
        // alone, 5 s in a fully loaded parallel test run). The bound only has to tell those apart.
        #expect(elapsed < .seconds(60))
    }

    @Test("a wildmat over 1 KB is handled")
    func longWildmat() throws {
        let parts = (0..<200).map { "group\($0).*" }
        let source = parts.joined(separator: ",") + ",!group7.secret"
        #expect(source.utf8.count > 1024)
        let wildmat = try Wildmat(source)
        #expect(wildmat.matches("group150.test"))
        #expect(!wildmat.matches("group7.secret"))
        #expect(!wildmat.matches("other.group"))
        let long = String(repeating: "?", count: 2000)
        #expect(try Wildmat(long).matches(String(repeating: "x", count: 2000)))
        #expect(try !Wildmat(long).matches(String(repeating: "x", count: 1999)))
    }
}
