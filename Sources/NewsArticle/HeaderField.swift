/// One header field of an article, kept byte-exact.
///
/// ```
/// Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=
///  from a folded line
/// ```
/// `raw` holds the octets from the first character of the name to the end of the last
/// continuation line, without the final CRLF (inner CRLFs of folding included). `value` is the
/// unfolded text after the colon: folding CRLFs removed, leading and trailing white space
/// trimmed, octets decoded as UTF-8 (invalid sequences replaced by U+FFFD). Encoded words are
/// *not* decoded in `value`; see ``EncodedWord``.
/// - SeeAlso: [RFC 5322 §2.2](https://datatracker.ietf.org/doc/html/rfc5322#section-2.2)
public struct HeaderField: Hashable, Sendable {
    /// The field name as written, e.g. `Subject`.
    public let name: String
    /// The unfolded, trimmed value.
    public let value: String
    /// The field's octets as they appear in the article, without the final CRLF.
    public let raw: [UInt8]

    /// Builds a field from a name and a value that the caller has already made header-safe
    /// (US-ASCII, or UTF-8 where RFC 6532 allows; no CR, LF or NUL). Long values are folded at
    /// white space so that lines stay within 78 octets where possible and never exceed 998.
    /// Throws `.malformedHeader` for an invalid name or a value containing CR, LF or NUL.
    public init(name: String, value: String) throws(ArticleError) {
        fatalError("unimplemented")
    }

    /// Parses one field from its raw octets (continuation lines joined by CRLF, no final CRLF).
    /// The name is 1*(%d33-57 / %d59-126); a colon must follow it directly.
    public init(parsing raw: some Collection<UInt8>) throws(ArticleError) {
        fatalError("unimplemented")
    }

    /// Case-insensitive comparison of the field name with `name` (ASCII).
    public func hasName(_ name: String) -> Bool {
        fatalError("unimplemented")
    }
}
