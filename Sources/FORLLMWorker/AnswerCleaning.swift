/// What the answer builder removed from a model's text to make it an article.
///
/// An article's body may not hold NUL, and the other C0 control characters (bell, escape,
/// backspace ...) only garble a reader's screen; invalid UTF-8 cannot be text at all. A model
/// can emit any of them (one NUL in an hour of generation would otherwise lose the answer), so
/// the builder drops the C0 controls but tab and newline, takes a CR before a newline as the
/// line end it is, and keeps everything else byte for byte; invalid UTF-8 was already replaced
/// by U+FFFD when the stream was read (``LLMUTF8Repair``). What was removed is recorded with
/// the request (`forllm queue show`) and in the answer's `X-FORLLM-Cleaned` header.
struct AnswerCleaning: Hashable, Sendable {
    /// Control characters removed, by value (below 0x20).
    private(set) var removed: [UInt8: Int] = [:]
    /// Invalid UTF-8 sequences the stream carried, replaced by U+FFFD.
    var invalidUTF8Replaced = 0

    /// Whether nothing was removed or replaced.
    var isEmpty: Bool { self.removed.isEmpty && self.invalidUTF8Replaced == 0 }

    /// `removed 1 NUL (U+0000), 2 ESC (U+001B); replaced 1 invalid UTF-8 sequence by U+FFFD`;
    /// `nil` when nothing was.
    var summary: String? {
        var parts: [String] = []
        if !self.removed.isEmpty {
            let items = self.removed.keys.sorted().map { value in
                "\(self.removed[value] ?? 0) \(Self.names[Int(value)]) (U+\(Self.hex(value)))"
            }
            parts.append("removed " + items.joined(separator: ", "))
        }
        if self.invalidUTF8Replaced > 0 {
            let count = self.invalidUTF8Replaced
            parts.append("replaced \(count) invalid UTF-8 sequence\(count == 1 ? "" : "s") by U+FFFD")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// `text` without the control characters an article should not carry, and what went.
    static func clean(_ text: String, invalidUTF8Replaced: Int = 0) -> (text: String, cleaning: AnswerCleaning) {
        var cleaning = AnswerCleaning(invalidUTF8Replaced: invalidUTF8Replaced)
        // The common case, a clean answer, costs one scan and no copy.
        guard text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A }) else {
            return (text, cleaning)
        }
        let bytes = Array(text.utf8)
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            if byte >= 0x20 || byte == 0x09 || byte == 0x0A {
                kept.append(byte)
            } else if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                continue  // CRLF: the line end is the LF.
            } else {
                cleaning.removed[byte, default: 0] += 1
            }
        }
        return (String(decoding: kept, as: UTF8.self), cleaning)
    }

    private static func hex(_ value: UInt8) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// The C0 control characters' names (ISO 6429).
    private static let names = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
        "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"
    ]
}
