/// RFC 2047 encoded words, both ways.
///
/// ```
/// =?UTF-8?B?R3LDvMOfZQ==?=   =?ISO-8859-1?Q?Gr=FC=DFe?=
/// ```
/// - SeeAlso: [RFC 2047](https://datatracker.ietf.org/doc/html/rfc2047)
public enum EncodedWord {
    /// Longest encoded word, in octets (RFC 2047 §2).
    public static let maximumWordLength = 75

    /// The length the encoders aim at: short enough that `Subject: ` and one word fit in the
    /// 76 octets RFC 2047 §2 allows for a line with an encoded word.
    static let targetWordLength = 66

    /// Decodes every encoded word in `value` (B and Q encodings; charsets UTF-8, US-ASCII,
    /// ISO-8859-1, ISO-8859-15, Windows-1252, case-insensitive). White space between two adjacent
    /// encoded words is dropped (§6.2). A malformed or unknown-charset word stays as written.
    /// Adjacent words in the same charset are decoded together, so a character split across
    /// two words (as some clients do) still comes out whole.
    public static func decode(_ value: String) -> String {
        guard value.utf8.count >= 8, Self.containsMarker(value.utf8) else { return value }
        let bytes = Array(value.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var pendingText: [UInt8] = []
        var pendingCharset: Charset?
        var pendingWhitespace: Range<Int>?
        var index = 0

        func flushText() {
            if let charset = pendingCharset {
                output.append(contentsOf: charset.decode(pendingText).utf8)
                pendingText.removeAll(keepingCapacity: true)
                pendingCharset = nil
            }
        }

        while index < bytes.count {
            if bytes[index] == ASCII.equals, let word = Self.parseWord(bytes, at: index) {
                // White space between two encoded words is dropped.
                pendingWhitespace = nil
                if pendingCharset != word.charset { flushText() }
                pendingCharset = word.charset
                pendingText.append(contentsOf: word.octets)
                index = word.end
                continue
            }
            if pendingCharset != nil, bytes[index].isASCIIWhitespace {
                let start = index
                while index < bytes.count, bytes[index].isASCIIWhitespace { index += 1 }
                pendingWhitespace = start..<index
                continue
            }
            flushText()
            if let whitespace = pendingWhitespace {
                output.append(contentsOf: bytes[whitespace])
                pendingWhitespace = nil
            }
            output.append(bytes[index])
            index += 1
        }
        flushText()
        if let whitespace = pendingWhitespace { output.append(contentsOf: bytes[whitespace]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Encodes unstructured text (e.g. Subject) for a header: returned unchanged when it is
    /// printable ASCII; otherwise as UTF-8 `B` or `Q` encoded words of at most 75 octets each,
    /// separated by a space (so folding may break between them), never splitting a character.
    ///
    /// Only runs of words that need it are encoded (`Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=`); an
    /// ASCII word that looks like an encoded word (`=?…?=`) is encoded too, so that readers
    /// show it as written. `decode(encodeUnstructured(text)) == text` for text without CR/LF.
    public static func encodeUnstructured(_ text: String) -> String {
        if !Self.needsEncoding(text.utf8) { return text }
        let words = text.utf8.split(separator: ASCII.space, omittingEmptySubsequences: false)
        var pieces: [String] = []
        var index = 0
        while index < words.count {
            guard Self.needsEncoding(words[index]) else {
                pieces.append(String(Substring(words[index])))
                index += 1
                continue
            }
            // A run reaches from this word to the last word needing encoding before the next
            // plain word; empty words (extra spaces) and words of TABs inside the run are
            // encoded with it, because white space between encoded words is dropped when decoding.
            var last = index
            var probe = index + 1
            while probe < words.count {
                if words[probe].allSatisfy({ $0 == ASCII.tab }) {
                    probe += 1
                } else if Self.needsEncoding(words[probe]) {
                    last = probe
                    probe += 1
                } else {
                    break
                }
            }
            var run: [UInt8] = []
            for position in index...last {
                if position > index { run.append(ASCII.space) }
                run.append(contentsOf: words[position])
            }
            pieces.append(Self.encodeRun(run))
            index = last + 1
        }
        return pieces.joined(separator: " ")
    }

    /// Encodes a display name (a `phrase`): an atom sequence when it is plain ASCII without
    /// specials, a quoted-string when it has specials, encoded words when it is not ASCII.
    public static func encodePhrase(_ text: String) -> String {
        let text = text.trimmingASCIIWhitespace()
        if Self.needsEncoding(text.utf8) || text.utf8.contains(ASCII.tab) {
            return Self.encodeRun(Array(text.utf8))
        }
        if text.utf8.allSatisfy({ Self.isAtomText($0) || $0 == ASCII.space }) {
            return text
        }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        quoted.unicodeScalars.append("\"")
        return quoted
    }

    // MARK: - Decoding helpers

    private static func containsMarker(_ utf8: String.UTF8View) -> Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            if previous == ASCII.equals && byte == ASCII.question { return true }
            previous = byte
        }
        return false
    }

    private struct Word {
        var charset: Charset
        var octets: [UInt8]
        var end: Int
    }

    // encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
    private static func parseWord(_ bytes: [UInt8], at start: Int) -> Word? {
        guard start + 1 < bytes.count, bytes[start] == ASCII.equals, bytes[start + 1] == ASCII.question else {
            return nil
        }
        let charsetStart = start + 2
        var index = charsetStart
        while index < bytes.count, bytes[index] != ASCII.question {
            if bytes[index] <= ASCII.space || bytes[index] >= 0x7F { return nil }
            index += 1
        }
        guard index < bytes.count, index > charsetStart else { return nil }
        let charsetEnd = index
        guard index + 2 < bytes.count, bytes[index + 2] == ASCII.question else { return nil }
        let encoding = bytes[index + 1].asciiLowercased
        let textStart = index + 3
        index = textStart
        while index + 1 < bytes.count, !(bytes[index] == ASCII.question && bytes[index + 1] == ASCII.equals) {
            if bytes[index] <= ASCII.space || bytes[index] >= 0x7F || bytes[index] == ASCII.question { return nil }
            index += 1
        }
        guard index + 1 < bytes.count else { return nil }
        let text = bytes[textStart..<index]
        guard let charset = Charset(name: bytes[charsetStart..<charsetEnd]) else { return nil }
        let octets: [UInt8]
        switch encoding {
        case 0x62:  // b
            guard let decoded = TransferDecoding.base64(text, strict: true) else { return nil }
            octets = decoded
        case 0x71:  // q
            guard let decoded = Self.decodeQ(text) else { return nil }
            octets = decoded
        default:
            return nil
        }
        return Word(charset: charset, octets: octets, end: index + 2)
    }

    private static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == ASCII.underscore {
                output.append(ASCII.space)
            } else if byte == ASCII.equals {
                guard index + 2 < text.endIndex, let high = text[index + 1].hexValue, let low = text[index + 2].hexValue
                else { return nil }
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    // MARK: - Encoding helpers

    /// Whether `bytes` must be encoded: an octet that is not printable ASCII (HTAB allowed),
    /// or `=?`, which a reader would take for the start of an encoded word.
    private static func needsEncoding(_ bytes: some Collection<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if byte >= 0x7F || (byte < 0x20 && byte != ASCII.tab) { return true }
            if previous == ASCII.equals && byte == ASCII.question { return true }
            previous = byte
        }
        return false
    }

    /// RFC 5322 `atext`.
    private static func isAtomText(_ byte: UInt8) -> Bool {
        if byte.isASCIILetter || byte.isASCIIDigit { return true }
        switch byte {
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2F, 0x3D, 0x3F, 0x5E, 0x5F, 0x60, 0x7B, 0x7C,
            0x7D, 0x7E:
            return true
        default:
            return false
        }
    }

    /// Octets a `Q` word may carry as themselves in any position, phrases included
    /// (RFC 2047 §5 (3)): letters, digits, `!*+-/`; space is written `_`.
    private static func isQLiteral(_ byte: UInt8) -> Bool {
        byte.isASCIILetter || byte.isASCIIDigit || byte == 0x21 || byte == 0x2A || byte == ASCII.plus
            || byte == ASCII.minus || byte == ASCII.slash
    }

    private static func qLength(_ byte: UInt8) -> Int {
        Self.isQLiteral(byte) || byte == ASCII.space ? 1 : 3
    }

    /// `text` (UTF-8) as encoded words separated by a space, each at most
    /// ``targetWordLength`` octets (a character is never split): `Q`, which stays readable,
    /// unless it is more than half as long again as `B` (non-Latin scripts, emoji).
    private static func encodeRun(_ text: [UInt8]) -> String {
        let prefix = Array("=?UTF-8?".utf8)
        let overhead = prefix.count + 4  // "B?" + "?="
        let qTotal = text.reduce(0) { $0 + Self.qLength($1) }
        let useQ = qTotal * 2 <= (text.count + 2) / 3 * 4 * 3
        let budget = Self.targetWordLength - overhead
        var words: [[UInt8]] = []
        var chunk: [UInt8] = []
        var chunkLength = 0
        var index = 0
        while index < text.count {
            // One Unicode scalar: a lead octet and its continuation octets.
            var end = index + 1
            while end < text.count, text[end] & 0xC0 == 0x80 { end += 1 }
            let scalar = text[index..<end]
            let newLength: Int
            if useQ {
                newLength = chunkLength + scalar.reduce(0) { $0 + Self.qLength($1) }
            } else {
                newLength = (chunk.count + scalar.count + 2) / 3 * 4
            }
            if newLength > budget, !chunk.isEmpty {
                words.append(Self.encodedWord(chunk, q: useQ, prefix: prefix))
                chunk.removeAll(keepingCapacity: true)
                chunkLength = 0
                continue
            }
            chunk.append(contentsOf: scalar)
            chunkLength = useQ ? newLength : 0
            index = end
        }
        if !chunk.isEmpty { words.append(Self.encodedWord(chunk, q: useQ, prefix: prefix)) }
        var output: [UInt8] = []
        for (position, word) in words.enumerated() {
            if position > 0 { output.append(ASCII.space) }
            output.append(contentsOf: word)
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func encodedWord(_ chunk: [UInt8], q: Bool, prefix: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var word = prefix
        if q {
            word.append(contentsOf: "Q?".utf8)
            for byte in chunk {
                if byte == ASCII.space {
                    word.append(ASCII.underscore)
                } else if Self.isQLiteral(byte) {
                    word.append(byte)
                } else {
                    word.append(ASCII.equals)
                    word.append(hex[Int(byte >> 4)])
                    word.append(hex[Int(byte & 0x0F)])
                }
            }
        } else {
            word.append(contentsOf: "B?".utf8)
            word.append(contentsOf: TransferDecoding.base64Encode(chunk))
        }
        word.append(contentsOf: "?=".utf8)
        return word
    }
}
