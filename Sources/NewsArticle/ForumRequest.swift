/// The `X-FORLLM-Request` header: who should answer, with which model and backend.
///
/// ```
/// X-FORLLM-Request: default
/// X-FORLLM-Request: none
/// X-FORLLM-Request: alice, "Dr. Who, PhD" ; model=llama3.2 ; backend=gpu-box
/// X-FORLLM-Request: alice; task=summary
/// X-FORLLM-Request: regenerate
/// ```
/// Grammar (keys case-insensitive, white space around tokens ignored):
/// ```
/// request := who *( ";" param )
/// who     := "default" | "none" | "regenerate" | name *( "," name )
/// name    := token | quoted-string           ; a handle or a display name
/// param   := ("model" | "backend") "=" (token | quoted-string)
///          | "task" "=" ("answer" | "summary")   ; case-insensitive, default answer
/// ```
/// `default`, `none` and `regenerate` are keywords only when they stand alone (case-insensitive).
/// `regenerate` on a follow-up to a persona's answer asks that persona for a new answer to the
/// article its answer replied to, posted beside the old one; it takes `model=` and `backend=`
/// but no `task=` (the new answer does what the old one did). `task=summary` asks for a summary
/// of the whole thread instead of an answer.
public struct ForumRequest: Hashable, Sendable {
    public enum Who: Hashable, Sendable {
        /// The resolved default persona.
        case defaultPersona
        /// No answer, even in an `auto` group.
        case none
        /// A new answer from the persona whose answer this article follows up, beside it.
        case regenerate
        /// These personas, by handle or name, in order, without duplicates.
        case personas([String])
    }

    public var who: Who
    public var model: String?
    public var backend: String?
    /// `task=`: what the personas are asked to do; `nil` when not given (an answer).
    public var task: ForumTask?

    public init(who: Who, model: String? = nil, backend: String? = nil, task: ForumTask? = nil) {
        self.who = who
        self.model = model
        self.backend = backend
        self.task = task
    }

    /// Header field name.
    public static let headerName = "X-FORLLM-Request"

    /// Parses a header value. Throws `.invalidRequest` with a message that quotes the
    /// offending part: empty value, empty name in the list, unterminated quote, unknown
    /// parameter, parameter without value, a parameter given twice, `none`/`default` mixed with names.
    ///
    /// Messages: `X-FORLLM-Request is empty`, `X-FORLLM-Request: empty name in 'a,,b'`,
    /// `X-FORLLM-Request: unterminated quote in '"Dr. Who'`,
    /// `X-FORLLM-Request: unknown parameter 'temperature'`,
    /// `X-FORLLM-Request: parameter 'model' has no value`,
    /// `X-FORLLM-Request: parameter 'model' given twice`,
    /// `X-FORLLM-Request: 'none' cannot be combined with other names`,
    /// `X-FORLLM-Request: unknown task 'poem' (allowed: answer, summary)`,
    /// `X-FORLLM-Request: 'regenerate' takes no task (the new answer does what the old one did)`,
    /// `X-FORLLM-Request: unexpected text after the quoted name in '"a" b'`.
    ///
    /// An unquoted name may consist of several words (`Code Reviewer`); white space inside it
    /// collapses to one space. Empty parameters (`alice;`) are ignored.
    public init(parsing value: String) throws(ArticleError) {
        self = try ForumRequestParser.parse(value)
    }

    /// The header value, quoting names that contain spaces, commas, quotes or semicolons.
    public var headerValue: String {
        var text: String
        switch self.who {
        case .defaultPersona:
            text = "default"
        case .none:
            text = "none"
        case .regenerate:
            text = "regenerate"
        case .personas(let names):
            text = names.map { ForumRequestParser.quotedIfNeeded($0, isName: true) }.joined(separator: ", ")
        }
        if let model = self.model {
            text += "; model=" + ForumRequestParser.quotedIfNeeded(model, isName: false)
        }
        if let backend = self.backend {
            text += "; backend=" + ForumRequestParser.quotedIfNeeded(backend, isName: false)
        }
        if let task = self.task {
            text += "; task=" + task.rawValue
        }
        return text
    }
}

/// `@handle` mentions in article text.
public enum Mentions {
    /// The mention chains in `text` (pass ``ArticleText/authoredText(_:)``'s output so quotes
    /// and signature are excluded). A mention is `@` + `[a-z0-9-]+` (matched case-insensitively,
    /// returned lower-cased, a trailing `-` not included) where the `@` is at the start or
    /// follows a character that is not a letter, digit, `.`, `_`, `-` or `@` (so
    /// `mail@example.org` is no mention). `@a:@b:@c` is one chain `["a", "b", "c"]`: a answers
    /// the article, b answers a, c answers b. A lone `@a` is the chain `["a"]`. Chains come in
    /// order of appearance; a chain equal to an earlier one is dropped.
    public static func chains(in text: String) -> [[String]] {
        let bytes = Array(text.utf8)
        var chains: [[String]] = []
        var index = 0
        while let at = bytes[index...].firstIndex(of: ASCII.at) {
            index = at + 1
            guard Self.mayStartMention(bytes, at: at), let first = Self.handle(bytes, after: at) else { continue }
            var chain = [first.handle]
            index = first.end
            // `:@next` continues the chain.
            while index + 1 < bytes.count, bytes[index] == ASCII.colon, bytes[index + 1] == ASCII.at,
                let next = Self.handle(bytes, after: index + 1)
            {
                chain.append(next.handle)
                index = next.end
            }
            if !chains.contains(chain) { chains.append(chain) }
        }
        return chains
    }

    /// Whether the `@` at `at` may start a mention: at the start, or after a character that
    /// is not a letter, digit, `.`, `_`, `-` or `@`.
    private static func mayStartMention(_ bytes: [UInt8], at: Int) -> Bool {
        guard at > 0 else { return true }
        let previous = bytes[at - 1]
        if previous < 0x80 {
            return
                !(previous.isASCIILetter || previous.isASCIIDigit || previous == ASCII.dot
                || previous == ASCII.underscore || previous == ASCII.minus || previous == ASCII.at)
        }
        // A non-ASCII character: find its first octet and ask Unicode whether it is a letter
        // or a digit.
        var start = at - 1
        while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        let scalars = String(decoding: bytes[start..<at], as: UTF8.self).unicodeScalars
        guard let scalar = scalars.first else { return true }
        return !(scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
    }

    /// The handle after the `@` at `at`: `[a-z0-9-]+` case-insensitively, lower-cased, without
    /// trailing `-`; `nil` when empty.
    private static func handle(_ bytes: [UInt8], after at: Int) -> (handle: String, end: Int)? {
        var end = at + 1
        while end < bytes.count, bytes[end].isASCIILetter || bytes[end].isASCIIDigit || bytes[end] == ASCII.minus {
            end += 1
        }
        var last = end
        while last > at + 1, bytes[last - 1] == ASCII.minus { last -= 1 }
        guard last > at + 1 else { return nil }
        return (String(decoding: bytes[(at + 1)..<last].map { $0.asciiLowercased }, as: UTF8.self), end)
    }
}
