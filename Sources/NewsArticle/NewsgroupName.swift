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
        Self.isValid(bytes: name.utf8)
    }

    static func isValid(bytes: some Collection<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= Self.maximumLength else { return false }
        var previous = ASCII.dot
        for byte in bytes {
            if byte == ASCII.dot {
                if previous == ASCII.dot { return false }
            } else if !(byte.isASCIILowercaseLetter || byte.isASCIIDigit || byte == ASCII.plus
                || byte == ASCII.minus || byte == ASCII.underscore)
            {
                return false
            }
            previous = byte
        }
        return previous != ASCII.dot
    }

    /// Parses a `Newsgroups` (or `Followup-To`) value: names separated by commas, white space
    /// (folding) around them ignored, empty entries (`a,,b`, a trailing comma) skipped,
    /// duplicates dropped keeping the first, order kept.
    /// Throws `.invalidNewsgroups` for an empty list or an invalid name (naming it), e.g.
    /// `'Comp..foo' is not a valid newsgroup name`; callers prefix the header name.
    /// `Followup-To: poster` is the caller's business: pass other values only.
    public static func parseList(_ value: String) throws(ArticleError) -> [String] {
        var names: [String] = []
        for part in value.utf8.split(separator: ASCII.comma, omittingEmptySubsequences: false) {
            let name = Substring(part).trimmingASCIIWhitespace()
            if name.isEmpty { continue }
            guard Self.isValid(bytes: name.utf8) else {
                throw ArticleError(
                    .invalidNewsgroups,
                    "\(String(name).quotedForMessage()) is not a valid newsgroup name"
                )
            }
            let text = String(name)
            if !names.contains(text) { names.append(text) }
        }
        guard !names.isEmpty else {
            throw ArticleError(.invalidNewsgroups, "no newsgroup named")
        }
        return names
    }
}
