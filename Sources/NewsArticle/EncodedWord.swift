/// RFC 2047 encoded words, both ways.
///
/// ```
/// =?UTF-8?B?R3LDvMOfZQ==?=   =?ISO-8859-1?Q?Gr=FC=DFe?=
/// ```
/// - SeeAlso: [RFC 2047](https://datatracker.ietf.org/doc/html/rfc2047)
public enum EncodedWord {
    /// Decodes every encoded word in `value` (B and Q encodings; charsets UTF-8, US-ASCII,
    /// ISO-8859-1, ISO-8859-15, Windows-1252, case-insensitive). White space between two adjacent
    /// encoded words is dropped (§6.2). A malformed or unknown-charset word stays as written.
    public static func decode(_ value: String) -> String {
        fatalError("unimplemented")
    }

    /// Encodes unstructured text (e.g. Subject) for a header: returned unchanged when it is
    /// printable ASCII; otherwise as UTF-8 `B` or `Q` encoded words of at most 75 octets each,
    /// separated by a space (so folding may break between them), never splitting a character.
    public static func encodeUnstructured(_ text: String) -> String {
        fatalError("unimplemented")
    }

    /// Encodes a display name (a `phrase`): an atom sequence when it is plain ASCII without
    /// specials, a quoted-string when it has specials, encoded words when it is not ASCII.
    public static func encodePhrase(_ text: String) -> String {
        fatalError("unimplemented")
    }
}
