// Byte-level helpers shared by the parsers of this module. Everything here works on octets:
// Swift treats "\r\n" as one Character, so the wire is never parsed by Character.

// MARK: - ASCII constants

enum ASCII {
    static let nul: UInt8 = 0x00
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let less: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let greater: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let backslash: UInt8 = 0x5C
    static let underscore: UInt8 = 0x5F
    static let tilde: UInt8 = 0x7E
    static let backtick: UInt8 = 0x60
    static let crlf: [UInt8] = [0x0D, 0x0A]
}

// MARK: - Octet classes

extension UInt8 {
    /// SP or HTAB (RFC 5322 `WSP`).
    @inline(__always)
    var isWSP: Bool { self == ASCII.space || self == ASCII.tab }

    /// SP, HTAB, CR or LF.
    @inline(__always)
    var isASCIIWhitespace: Bool { self == ASCII.space || self == ASCII.tab || self == ASCII.cr || self == ASCII.lf }

    @inline(__always)
    var isASCIIDigit: Bool { self >= ASCII.zero && self <= ASCII.nine }

    @inline(__always)
    var isASCIILetter: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }

    @inline(__always)
    var isASCIILowercaseLetter: Bool { self >= 0x61 && self <= 0x7A }

    @inline(__always)
    var asciiLowercased: UInt8 { (self >= 0x41 && self <= 0x5A) ? self | 0x20 : self }

    /// The value of a hexadecimal digit, `nil` for other octets.
    @inline(__always)
    var hexValue: UInt8? {
        switch self {
        case 0x30...0x39: return self - 0x30
        case 0x41...0x46: return self - 0x41 + 10
        case 0x61...0x66: return self - 0x61 + 10
        default: return nil
        }
    }
}

// MARK: - Comparisons and trimming

/// Whether two octet sequences are equal, ignoring ASCII case.
@inline(__always)
func asciiCaseInsensitiveEqual(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return zip(lhs, rhs).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
}

/// Whether `bytes` starts with `prefix`, ignoring ASCII case.
func asciiCaseInsensitiveHasPrefix(_ bytes: some Collection<UInt8>, _ prefix: some Collection<UInt8>) -> Bool {
    guard bytes.count >= prefix.count else { return false }
    return zip(bytes, prefix).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
}

extension ArraySlice<UInt8> {
    /// The slice without leading and trailing SP, HTAB, CR and LF.
    func trimmingASCIIWhitespace() -> ArraySlice<UInt8> {
        var start = self.startIndex
        var end = self.endIndex
        while start < end, self[start].isASCIIWhitespace { start += 1 }
        while end > start, self[end - 1].isASCIIWhitespace { end -= 1 }
        return self[start..<end]
    }
}

extension Substring {
    /// The substring without leading and trailing SP, HTAB, CR and LF.
    func trimmingASCIIWhitespace() -> Substring {
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start].isASCIIWhitespace { start = utf8.index(after: start) }
        while end > start, utf8[utf8.index(before: end)].isASCIIWhitespace { end = utf8.index(before: end) }
        return Substring(utf8[start..<end])
    }
}

extension String {
    /// The string without leading and trailing SP, HTAB, CR and LF.
    func trimmingASCIIWhitespace() -> String {
        guard let first = self.utf8.first, let last = self.utf8.last else { return self }
        if !first.isASCIIWhitespace && !last.isASCIIWhitespace { return self }
        return String(self[...].trimmingASCIIWhitespace())
    }

    /// The string lower-cased in ASCII only (other characters untouched).
    func asciiLowercased() -> String {
        guard self.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return self }
        return String(decoding: self.utf8.map { $0.asciiLowercased }, as: UTF8.self)
    }

    /// Whether every octet is printable US-ASCII or SP/HTAB.
    var isPrintableASCII: Bool {
        self.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == ASCII.tab }
    }

    /// Text for an error message: at most `limit` characters, quoted with single quotes.
    func quotedForMessage(limit: Int = 80) -> String {
        var text = self
        if text.count > limit { text = String(text.prefix(limit)) + "…" }
        var sanitized = ""
        sanitized.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            sanitized.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
        }
        return "'" + sanitized + "'"
    }
}

// MARK: - Contiguous octets

/// `bytes` as an array, without an element-by-element copy for the common collections: a
/// generic caller in another module reaches this unspecialised.
func contiguousBytes(_ bytes: some Collection<UInt8>) -> [UInt8] {
    if let array = bytes as? [UInt8] { return array }
    if let slice = bytes as? ArraySlice<UInt8> { return Array(slice) }
    return bytes.withContiguousStorageIfAvailable { Array($0) } ?? Array(bytes)
}

// MARK: - Line splitting

/// Splits `text` at every LF, dropping a CR before each LF: `n` LFs give `n + 1` lines.
func splitAllLines(_ text: Substring) -> [Substring] {
    text.utf8.split(separator: ASCII.lf, omittingEmptySubsequences: false).map { line in
        line.last == ASCII.cr ? Substring(line.dropLast()) : Substring(line)
    }
}

/// Splits `text` at LF, dropping a CR before each LF; a final LF does not start another line.
func splitLines(_ text: Substring) -> [Substring] {
    var lines: [Substring] = []
    var rest = text
    while !rest.isEmpty {
        guard let lf = rest.utf8.firstIndex(of: ASCII.lf) else {
            var line = rest
            if line.utf8.last == ASCII.cr { line = Substring(line.utf8.dropLast()) }
            lines.append(line)
            break
        }
        var line = Substring(rest.utf8[rest.utf8.startIndex..<lf])
        if line.utf8.last == ASCII.cr { line = Substring(line.utf8.dropLast()) }
        lines.append(line)
        rest = Substring(rest.utf8[rest.utf8.index(after: lf)...])
    }
    return lines
}
