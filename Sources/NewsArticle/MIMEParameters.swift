/// The parameters of a structured MIME field with RFC 2231 decoding, continuations included:
/// what ``ContentType`` does for one value, for `Content-Disposition` and for long file names.
///
/// ```
/// Content-Disposition: attachment; filename="notes.md"
/// Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20rates.csv
/// Content-Disposition: attachment;
///  filename*0*=UTF-8''a%20very%20long%20name%20that%20;
///  filename*1*=goes%20on.txt
/// ```
/// - SeeAlso: [RFC 2231 §3, §4](https://datatracker.ietf.org/doc/html/rfc2231)
struct MIMEParameters {
    /// The value before the first `;` (`attachment`, `text/plain`), trimmed.
    var leadingValue: String
    /// Every parameter as written: lower-cased name (with its `*`, `*0*` suffixes), raw value
    /// (quotes removed).
    private var raw: [(name: String, value: String)] = []

    init(parsing value: String) {
        let bytes = Array(value.utf8)
        let semicolon = bytes.firstIndex(of: ASCII.semicolon) ?? bytes.endIndex
        self.leadingValue = String(decoding: bytes[..<semicolon], as: UTF8.self).trimmingASCIIWhitespace()
        var scanner = ParameterScanner(bytes: bytes)
        while scanner.skip(to: ASCII.semicolon) {
            guard let name = scanner.token(), scanner.consume(ASCII.equals), let text = scanner.value() else {
                continue
            }
            self.raw.append((name.asciiLowercased(), text))
        }
    }

    /// The parameter `name` decoded: the RFC 2231 forms (`name*`, `name*0`/`name*0*`, ...)
    /// before the plain `name=`; `nil` when absent.
    func value(of name: String) -> String? {
        let name = name.asciiLowercased()
        if let extended = self.raw.first(where: { $0.name == name + "*" }) {
            return Self.decodeExtended([(extended.value, true)])
        }
        var segments: [(index: Int, value: String, extended: Bool)] = []
        for (rawName, value) in self.raw where rawName.hasPrefix(name + "*") {
            var suffix = rawName.dropFirst(name.count + 1)
            let extended = suffix.hasSuffix("*")
            if extended { suffix = suffix.dropLast() }
            guard let index = Int(suffix), index >= 0, index < 1000 else { continue }
            segments.append((index, value, extended))
        }
        if !segments.isEmpty {
            segments.sort { $0.index < $1.index }
            // Only the run from 0 without gaps counts (RFC 2231 §3).
            var run: [(String, Bool)] = []
            for (position, segment) in segments.enumerated() where segment.index == position {
                run.append((segment.value, segment.extended))
            }
            if !run.isEmpty { return Self.decodeExtended(run) }
        }
        return self.raw.first { $0.name == name }?.value
    }

    /// Joins continuation segments: extended ones are percent-decoded, the first extended one
    /// names the charset (`charset'language'`); the bytes are decoded together, so a character
    /// split between segments comes out whole. An unknown charset reads as UTF-8.
    private static func decodeExtended(_ segments: [(value: String, extended: Bool)]) -> String {
        var charset = Charset.utf8
        var bytes: [UInt8] = []
        for (position, segment) in segments.enumerated() {
            var value = Array(segment.value.utf8)[...]
            if segment.extended, position == 0 {
                let parts = value.split(separator: 0x27, maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3 {
                    charset = Charset(name: parts[0]) ?? .utf8
                    value = parts[2]
                }
            }
            guard segment.extended else {
                bytes.append(contentsOf: value)
                continue
            }
            var index = value.startIndex
            while index < value.endIndex {
                let byte = value[index]
                if byte == 0x25, index + 2 < value.endIndex, let high = value[index + 1].hexValue,
                    let low = value[index + 2].hexValue
                {
                    bytes.append(high << 4 | low)
                    index += 3
                } else {
                    bytes.append(byte)
                    index += 1
                }
            }
        }
        return charset.decode(bytes)
    }
}
