/// The character sets this module decodes (RFC 2047 words, MIME bodies), by hand: Foundation's
/// converters differ between platforms, and these tables are small.
enum Charset: Hashable, Sendable {
    /// UTF-8; also used for US-ASCII, so stray 8-bit octets labelled ASCII still read well.
    case utf8
    /// ISO-8859-1 labels decode as Windows-1252, its superset, as browsers do (WHATWG Encoding):
    /// mail labelled Latin-1 often carries Windows quotes and dashes in 0x80–0x9F.
    case windows1252
    /// ISO-8859-15: Latin-1 with the euro sign and seven other replacements.
    case latin9

    /// The charset named `name` (case-insensitive, RFC 2231 language suffix ignored), or `nil`.
    init?(name: some Collection<UInt8>) {
        var label = String(decoding: name, as: UTF8.self).trimmingASCIIWhitespace().asciiLowercased()
        if let star = label.firstIndex(of: "*") { label = String(label[..<star]) }
        switch label {
        case "utf-8", "utf8", "us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968", "iso646-us", "unicode-1-1-utf-8":
            self = .utf8
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987", "latin1", "latin-1", "l1", "cp819",
            "ibm819", "windows-1252", "cp1252", "x-cp1252", "cp-1252":
            self = .windows1252
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "l9":
            self = .latin9
        default:
            return nil
        }
    }

    /// `bytes` as text; invalid UTF-8 becomes U+FFFD.
    func decode(_ bytes: some Collection<UInt8>) -> String {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .windows1252, .latin9:
            guard bytes.contains(where: { $0 >= 0x80 }) else { return String(decoding: bytes, as: UTF8.self) }
            var utf8: [UInt8] = []
            utf8.reserveCapacity(bytes.count + bytes.count / 2)
            for byte in bytes {
                Self.appendUTF8(self.scalar(for: byte), to: &utf8)
            }
            return String(decoding: utf8, as: UTF8.self)
        }
    }

    private func scalar(for byte: UInt8) -> UInt32 {
        switch self {
        case .utf8:
            return UInt32(byte)
        case .windows1252:
            if byte >= 0x80 && byte <= 0x9F { return Self.windows1252High[Int(byte - 0x80)] }
            return UInt32(byte)
        case .latin9:
            switch byte {
            case 0xA4: return 0x20AC
            case 0xA6: return 0x0160
            case 0xA8: return 0x0161
            case 0xB4: return 0x017D
            case 0xB8: return 0x017E
            case 0xBC: return 0x0152
            case 0xBD: return 0x0153
            case 0xBE: return 0x0178
            default: return UInt32(byte)
            }
        }
    }

    /// Windows-1252 0x80–0x9F; the five unassigned positions map to the C1 controls.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
    ]

    static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            bytes.append(UInt8(scalar))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | (scalar >> 6)))
            bytes.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | (scalar >> 12)))
            bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | (scalar >> 18)))
            bytes.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}

// MARK: - Base64 and quoted-printable

enum TransferDecoding {
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// Base64 (RFC 2045 §6.8), tolerant: white space and other octets outside the alphabet are
    /// skipped, decoding stops at `=`, a missing final padding is accepted.
    /// With `strict`, any octet outside the alphabet (white space included) gives `nil`.
    static func base64(_ bytes: some Collection<UInt8>, strict: Bool = false) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            if byte == ASCII.equals { break }
            let value = Self.base64Values[Int(byte)]
            if value == 0xFF {
                if strict { return nil }
                continue
            }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        return output
    }

    static func base64Encode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let value = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int((value >> 18) & 0x3F)])
            output.append(alphabet[Int((value >> 12) & 0x3F)])
            output.append(second == nil ? ASCII.equals : alphabet[Int((value >> 6) & 0x3F)])
            output.append(third == nil ? ASCII.equals : alphabet[Int(value & 0x3F)])
        }
        return output
    }

    /// Quoted-printable (RFC 2045 §6.7), tolerant: `=XX` decoded (either case), a soft line
    /// break `=` before CRLF or LF removed, any other `=` kept as written.
    static func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == ASCII.equals else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 2 < bytes.count, let high = bytes[index + 1].hexValue, let low = bytes[index + 2].hexValue {
                output.append(high << 4 | low)
                index += 3
                continue
            }
            // A soft line break, perhaps with white space the transport added after the `=`.
            var next = index + 1
            while next < bytes.count, bytes[next].isWSP { next += 1 }
            if next < bytes.count, bytes[next] == ASCII.lf {
                index = next + 1
            } else if next + 1 < bytes.count, bytes[next] == ASCII.cr, bytes[next + 1] == ASCII.lf {
                index = next + 2
            } else if next == bytes.count {
                index = next
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }
}
