/// A news article (RFC 5536) as a value: header fields in order, kept byte-exact, and the body.
///
/// The wire form handled here is the *unstuffed* form: lines end with CRLF, no dot-stuffing,
/// no terminating `.` line. Dot-stuffing belongs to the NNTP encoder only.
///
/// Round-trip guarantee: `Article(parsing: bytes).serialized == bytes` for every `bytes` that
/// parses and has the empty line that ends the header section (an article without one, or
/// whose last header line lacks its CRLF, gets them added).
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
        let parsed = try ArticleParser.parse(contiguousBytes(bytes))
        self.fields = parsed.fields
        self.body = parsed.body
    }

    /// The article's octets: every field's `raw` + CRLF, an empty line (CRLF), the body.
    public var serialized: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.serializedByteCount)
        self.appendHeaderSection(to: &bytes)
        bytes.append(contentsOf: ASCII.crlf)
        bytes.append(contentsOf: self.body)
        return bytes
    }

    /// `serialized.count`, computed without building the octets.
    public var serializedByteCount: Int {
        var count = 2 + self.body.count
        for field in self.fields { count += field.raw.count + 2 }
        return count
    }

    /// The header section's octets without the empty line that ends it: every field's `raw`
    /// + CRLF (what `HEAD` sends).
    public var headerSectionWithoutBlankLine: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.serializedByteCount - self.body.count)
        self.appendHeaderSection(to: &bytes)
        return bytes
    }

    private func appendHeaderSection(to bytes: inout [UInt8]) {
        for field in self.fields {
            bytes.append(contentsOf: field.raw)
            bytes.append(contentsOf: ASCII.crlf)
        }
    }

    /// The value of the first field named `name` (case-insensitive), or `nil`.
    public subscript(name: String) -> String? {
        self.fields.first { $0.hasName(name) }?.value
    }

    /// The first field named `name` (case-insensitive), or `nil`.
    public func field(named name: String) -> HeaderField? {
        self.fields.first { $0.hasName(name) }
    }

    /// The values of every field named `name` (case-insensitive), in order.
    public func values(named name: String) -> [String] {
        self.fields.compactMap { $0.hasName(name) ? $0.value : nil }
    }

    /// Replaces the first field named `field.name` with `field` (keeping its position) and
    /// removes the other fields of that name; appends `field` when there is none.
    public mutating func replace(with field: HeaderField) {
        guard let first = self.fields.firstIndex(where: { $0.hasName(field.name) }) else {
            self.fields.append(field)
            return
        }
        self.fields[first] = field
        var index = first + 1
        while index < self.fields.count {
            if self.fields[index].hasName(field.name) {
                self.fields.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func removeFields(named name: String) {
        self.fields.removeAll { $0.hasName(name) }
    }

    /// Inserts `field` at `index` (0 = first header line); an index past the end appends.
    public mutating func insert(_ field: HeaderField, at index: Int) {
        self.fields.insert(field, at: min(max(index, 0), self.fields.count))
    }

    /// Appends `field` after the last header field.
    public mutating func append(_ field: HeaderField) {
        self.fields.append(field)
    }

    /// Number of lines in the body (RFC 3977 `:lines`): CRLF-terminated lines, plus one for an
    /// unterminated last line.
    public var bodyLineCount: Int {
        guard let last = self.body.last else { return 0 }
        var count = 0
        for byte in self.body where byte == ASCII.lf { count += 1 }
        return last == ASCII.lf ? count : count + 1
    }
}
