/// A news article (RFC 5536) as a value: header fields in order, kept byte-exact, and the body.
///
/// The wire form handled here is the *unstuffed* form: lines end with CRLF, no dot-stuffing,
/// no terminating `.` line. Dot-stuffing belongs to the NNTP encoder only.
///
/// Round-trip guarantee: `Article(parsing: bytes).serialized == bytes` for every `bytes` that
/// parses (with the one normalisation that an article without a blank line gets none added).
/// - SeeAlso: [RFC 5536 §2](https://datatracker.ietf.org/doc/html/rfc5536#section-2)
public struct Article: Hashable, Sendable {
    /// The header fields in the order they appear.
    public private(set) var fields: [HeaderField]
    /// The body octets: CRLF-terminated lines (the last line may lack CRLF only if the input
    /// did), no dot-stuffing. Empty when the article has no body.
    public var body: [UInt8]

    public init(fields: [HeaderField], body: [UInt8]) {
        self.fields = fields
        self.body = body
    }

    /// Parses the unstuffed wire form: header lines ending in CRLF, folded lines starting with
    /// SP or HTAB, an empty line, then the body.
    ///
    /// Refuses (`.malformedHeader`, message naming the line number and the problem): a header
    /// line without a colon that is not a continuation, a continuation before the first field,
    /// an invalid field name, a bare CR or a bare LF or NUL anywhere in the header section.
    /// The body is kept as given.
    public init(parsing bytes: some Collection<UInt8>) throws(ArticleError) {
        fatalError("unimplemented")
    }

    /// The article's octets: every field's `raw` + CRLF, an empty line (CRLF), the body.
    public var serialized: [UInt8] {
        fatalError("unimplemented")
    }

    /// The header section's octets including the final empty line (what `HEAD` sends, minus
    /// that empty line; see ``headerSectionWithoutBlankLine``).
    public var headerSectionWithoutBlankLine: [UInt8] {
        fatalError("unimplemented")
    }

    /// The value of the first field named `name` (case-insensitive), or `nil`.
    public subscript(name: String) -> String? {
        fatalError("unimplemented")
    }

    /// The values of every field named `name` (case-insensitive), in order.
    public func values(named name: String) -> [String] {
        fatalError("unimplemented")
    }

    /// Replaces the first field named `field.name` with `field` (keeping its position) and
    /// removes the other fields of that name; appends `field` when there is none.
    public mutating func replace(with field: HeaderField) {
        fatalError("unimplemented")
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func removeFields(named name: String) {
        fatalError("unimplemented")
    }

    /// Inserts `field` at `index` (0 = first header line).
    public mutating func insert(_ field: HeaderField, at index: Int) {
        fatalError("unimplemented")
    }

    /// Appends `field` after the last header field.
    public mutating func append(_ field: HeaderField) {
        fatalError("unimplemented")
    }

    /// Number of lines in the body (RFC 3977 `:lines`): CRLF-terminated lines, plus one for an
    /// unterminated last line.
    public var bodyLineCount: Int {
        fatalError("unimplemented")
    }
}
