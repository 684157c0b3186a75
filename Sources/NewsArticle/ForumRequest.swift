/// The `X-FORLLM-Request` header: who should answer, with which model and backend.
///
/// ```
/// X-FORLLM-Request: default
/// X-FORLLM-Request: none
/// X-FORLLM-Request: alice, "Dr. Who, PhD" ; model=llama3.2 ; backend=gpu-box
/// ```
/// Grammar (keys case-insensitive, white space around tokens ignored):
/// ```
/// request := who *( ";" param )
/// who     := "default" | "none" | name *( "," name )
/// name    := token | quoted-string           ; a handle or a display name
/// param   := ("model" | "backend") "=" (token | quoted-string)
/// ```
/// `default` and `none` are keywords only when they stand alone (case-insensitive).
public struct ForumRequest: Hashable, Sendable {
    public enum Who: Hashable, Sendable {
        /// The resolved default persona.
        case defaultPersona
        /// No answer, even in an `auto` group.
        case none
        /// These personas, by handle or name, in order, without duplicates.
        case personas([String])
    }

    public var who: Who
    public var model: String?
    public var backend: String?

    public init(who: Who, model: String? = nil, backend: String? = nil) {
        self.who = who
        self.model = model
        self.backend = backend
    }

    /// Header field name.
    public static let headerName = "X-FORLLM-Request"

    /// Parses a header value. Throws `.invalidRequest` with a message that quotes the
    /// offending part: empty value, empty name in the list, unterminated quote, unknown
    /// parameter, parameter without value, a parameter given twice, `none`/`default` mixed with names.
    public init(parsing value: String) throws(ArticleError) {
        fatalError("unimplemented")
    }

    /// The header value, quoting names that contain spaces, commas, quotes or semicolons.
    public var headerValue: String {
        fatalError("unimplemented")
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
        fatalError("unimplemented")
    }
}
