import NIOCore

/// Makes a line of a stream that is not valid JSON text because of its Unicode decodable:
/// invalid UTF-8 bytes and JSON escapes of lone surrogates (`"\ud800"`, which Python servers
/// can send) become U+FFFD. Only tried after a line failed to decode, so valid streams pay
/// nothing. Foundation's `JSONDecoder` refuses both outright, which would lose a whole answer
/// for one bad byte.
enum LLMUTF8Repair {
    /// The repaired line and how many replacements it took; `nil` when nothing needed repair.
    static func repaired(_ line: ByteBuffer) -> (line: ByteBuffer, replacements: Int)? {
        let bytes = Array(line.readableBytesView)
        var replacements = 0
        var text: [UInt8]
        if String(validating: bytes, as: UTF8.self) == nil {
            let decoded = String(decoding: bytes, as: UTF8.self)
            replacements += Self.replacementCount(in: Array(decoded.utf8)) - Self.replacementCount(in: bytes)
            text = Array(decoded.utf8)
        } else {
            text = bytes
        }
        let (escaped, loneSurrogates) = Self.replacingLoneSurrogateEscapes(text)
        replacements += loneSurrogates
        text = escaped
        guard replacements > 0 else { return nil }
        return (ByteBuffer(bytes: text), replacements)
    }

    /// How many times U+FFFD (EF BF BD) occurs in `bytes`.
    private static func replacementCount(in bytes: [UInt8]) -> Int {
        var count = 0
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0xEF, bytes[index + 1] == 0xBF, bytes[index + 2] == 0xBD {
                count += 1
                index += 3
            } else {
                index += 1
            }
        }
        return count
    }

    /// `bytes` with every `\uD800`–`\uDFFF` escape that is not half of a surrogate pair
    /// replaced by `\uFFFD`; the count of replacements.
    private static func replacingLoneSurrogateEscapes(_ bytes: [UInt8]) -> ([UInt8], Int) {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var count = 0
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                result.append(bytes[index])
                index += 1
                continue
            }
            guard bytes[index + 1] == UInt8(ascii: "u"), let unit = Self.escapedUnit(bytes, at: index) else {
                // Any other escape (`\\`, `\"`, `\n`...) is copied whole, so `\\u` is no escape.
                result.append(contentsOf: bytes[index...index + 1])
                index += 2
                continue
            }
            if (0xD800...0xDBFF).contains(unit), let low = Self.escapedUnit(bytes, at: index + 6),
                (0xDC00...0xDFFF).contains(low)
            {
                result.append(contentsOf: bytes[index..<index + 12])
                index += 12
            } else if (0xD800...0xDFFF).contains(unit) {
                result.append(contentsOf: Array("\\ufffd".utf8))
                count += 1
                index += 6
            } else {
                result.append(contentsOf: bytes[index..<index + 6])
                index += 6
            }
        }
        return (result, count)
    }

    /// The value of a `\uXXXX` escape at `index`, if there is one.
    private static func escapedUnit(_ bytes: [UInt8], at index: Int) -> UInt16? {
        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
            return nil
        }
        var value: UInt16 = 0
        for byte in bytes[index + 2..<index + 6] {
            guard let digit = hexDigitValue(byte) else { return nil }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
