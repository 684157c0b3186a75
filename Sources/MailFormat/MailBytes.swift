/// Octet constants and small helpers of the mail formats.
enum MailBytes {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let greater: UInt8 = 0x3E
    static let at: UInt8 = 0x40
    /// `From ` (with its space): the mbox separator and the start of a quoted line.
    static let fromSpace: [UInt8] = Array("From ".utf8)

    /// Whether `bytes` starts with `prefix`, octet for octet.
    static func hasPrefix(_ bytes: ArraySlice<UInt8>, _ prefix: [UInt8]) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        var index = bytes.startIndex
        for byte in prefix {
            if bytes[index] != byte { return false }
            index += 1
        }
        return true
    }

    /// Whether the line (its end of line included) starts with `>*From `: a line that mboxrd
    /// quotes with one more `>`.
    static func isQuotableFromLine(_ line: ArraySlice<UInt8>) -> Bool {
        var index = line.startIndex
        while index < line.endIndex, line[index] == Self.greater { index += 1 }
        return Self.hasPrefix(line[index...], Self.fromSpace)
    }

    /// Whether the line is empty but for its end of line (`LF` or `CRLF`).
    static func isBlankLine(_ line: ArraySlice<UInt8>) -> Bool {
        switch line.count {
        case 1: line[line.startIndex] == Self.lf
        case 2: line[line.startIndex] == Self.cr && line[line.startIndex + 1] == Self.lf
        default: false
        }
    }
}
