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

    /// Folded lines aim at this length (RFC 5322 §2.1.1 "SHOULD").
    public static let preferredLineLength = 78
    /// No line may be longer than this, CRLF excluded (RFC 5322 §2.1.1 "MUST").
    public static let maximumLineLength = 998

    /// Builds a field from a name and a value that the caller has already made header-safe
    /// (US-ASCII, or UTF-8 where RFC 6532 allows; no CR, LF or NUL). Long values are folded at
    /// white space so that lines stay within 78 octets where possible and never exceed 998.
    /// Throws `.malformedHeader` for an invalid name or a value containing CR, LF or NUL, and
    /// `.invalidHeaderValue` for a value with a word too long to fit in 998 octets.
    public init(name: String, value: String) throws(ArticleError) {
        guard Self.isValidName(name.utf8) else {
            throw ArticleError(.malformedHeader, "\(name.quotedForMessage()) is not a valid header field name")
        }
        if value.utf8.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf || $0 == ASCII.nul }) {
            throw ArticleError(.malformedHeader, "\(name): the value contains a line break or NUL")
        }
        let trimmed = value.trimmingASCIIWhitespace()
        self.name = name
        self.value = trimmed
        self.raw = try Self.fold(name: name, value: Array(trimmed.utf8))
    }

    /// Parses one field from its raw octets (continuation lines joined by CRLF, no final CRLF).
    /// The name is 1*(%d33-57 / %d59-126); a colon must follow it directly.
    public init(parsing raw: some Collection<UInt8>) throws(ArticleError) {
        let bytes = contiguousBytes(raw)
        guard let colon = bytes.firstIndex(of: ASCII.colon) else {
            let text = Self.text(bytes[...]).quotedForMessage()
            throw ArticleError(.malformedHeader, "header line without a colon: \(text)")
        }
        guard Self.isValidName(bytes[..<colon]) else {
            throw ArticleError(
                .malformedHeader,
                "invalid header field name \(Self.text(bytes[..<colon]).quotedForMessage())"
            )
        }
        var index = colon + 1
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.nul:
                throw ArticleError(.malformedHeader, "NUL in header field \(Self.text(bytes[..<colon]))")
            case ASCII.cr:
                guard index + 2 < bytes.count, bytes[index + 1] == ASCII.lf, bytes[index + 2].isWSP else {
                    throw ArticleError(
                        .malformedHeader,
                        "line break not followed by white space in header field \(Self.text(bytes[..<colon]))"
                    )
                }
                index += 2
            case ASCII.lf:
                throw ArticleError(.malformedHeader, "bare LF in header field \(Self.text(bytes[..<colon]))")
            default:
                index += 1
            }
        }
        self.init(validatedRaw: bytes, colon: colon)
    }

    /// A field from octets already checked by the caller: a valid name, `colon` the index of
    /// the colon after it, CRLF only as folding, no NUL.
    init(validatedRaw raw: [UInt8], colon: Int) {
        self.raw = raw
        self.name = String(decoding: raw[..<colon], as: UTF8.self)
        self.value = Self.unfoldedValue(raw[(colon + 1)...])
    }

    /// Case-insensitive comparison of the field name with `name` (ASCII).
    public func hasName(_ name: String) -> Bool {
        asciiCaseInsensitiveEqual(self.name.utf8, name.utf8)
    }

    // MARK: - Helpers

    /// `1*(%d33-57 / %d59-126)`: printable US-ASCII except colon.
    static func isValidName(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != ASCII.colon }
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// The value octets with folding CRLFs removed and white space trimmed, as UTF-8 text.
    static func unfoldedValue(_ bytes: ArraySlice<UInt8>) -> String {
        let trimmed = bytes.trimmingASCIIWhitespace()
        guard trimmed.contains(ASCII.cr) || trimmed.contains(ASCII.lf) else {
            return String(decoding: trimmed, as: UTF8.self)
        }
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(trimmed.count)
        for byte in trimmed where byte != ASCII.cr && byte != ASCII.lf {
            unfolded.append(byte)
        }
        return String(decoding: unfolded, as: UTF8.self)
    }

    /// `name: value`, folded before white space so that lines stay within
    /// ``preferredLineLength`` where a break allows it.
    ///
    /// Folding happens only before the last WSP of a run of white space, so no line consists
    /// of white space alone (RFC 5322 §3.2.2), and never right after the colon.
    static func fold(name: String, value: [UInt8]) throws(ArticleError) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(name.utf8.count + 2 + value.count + value.count / 30)
        raw.append(contentsOf: name.utf8)
        raw.append(ASCII.colon)
        if value.isEmpty { return raw }
        raw.append(ASCII.space)
        if raw.count + value.count <= Self.preferredLineLength {
            raw.append(contentsOf: value)
            return raw
        }
        var lineStart = 0
        var longest = 0
        // Segments: the first word, then each "WSP word" pair that a fold may precede.
        var segmentStart = 0
        var index = 0
        func emit(_ segment: ArraySlice<UInt8>, breakable: Bool) {
            if breakable, raw.count - lineStart + segment.count > Self.preferredLineLength {
                longest = max(longest, raw.count - lineStart)
                raw.append(contentsOf: ASCII.crlf)
                lineStart = raw.count
            }
            raw.append(contentsOf: segment)
        }
        var first = true
        while index < value.count {
            // Find the end of this segment: the next WSP that is followed by a non-WSP octet.
            var end = index + 1
            while end < value.count {
                if value[end].isWSP, end + 1 < value.count, !value[end + 1].isWSP { break }
                end += 1
            }
            emit(value[segmentStart..<end], breakable: !first)
            first = false
            segmentStart = end
            index = end
        }
        longest = max(longest, raw.count - lineStart)
        if longest > Self.maximumLineLength {
            throw ArticleError(
                .invalidHeaderValue,
                "\(name): the value has a word too long to fold into lines of \(Self.maximumLineLength) octets"
            )
        }
        return raw
    }
}
