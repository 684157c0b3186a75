/// Newsgroup names and the `Newsgroups` header.
///
/// ```
/// Newsgroups: forllm.general,forllm.test
/// ```
/// - SeeAlso: [RFC 3977 §4.1](https://datatracker.ietf.org/doc/html/rfc3977#section-4.1),
///   [RFC 5536 §3.1.4](https://datatracker.ietf.org/doc/html/rfc5536#section-3.1.4)
public enum NewsgroupName {
    /// Longest name accepted, in octets.
    public static let maximumLength = 250

    /// Whether `name` is a valid name for a group created here: dot-separated non-empty
    /// components of lower-case letters, digits, `+`, `-`, `_`; at most ``maximumLength`` octets.
    public static func isValid(_ name: String) -> Bool {
        fatalError("unimplemented")
    }

    /// Parses a `Newsgroups` (or `Followup-To`) value: names separated by commas, white space
    /// (folding) around them ignored, duplicates dropped keeping the first, order kept.
    /// Throws `.invalidNewsgroups` for an empty list or an invalid name (naming it).
    /// `Followup-To: poster` is the caller's business: pass other values only.
    public static func parseList(_ value: String) throws(ArticleError) -> [String] {
        fatalError("unimplemented")
    }
}
