/// A MIME `Content-Type` value: media type and parameters.
///
/// ```
/// Content-Type: text/plain; charset=UTF-8; format=flowed
/// Content-Type: multipart/alternative; boundary="------------8Zk1"
/// ```
/// - SeeAlso: [RFC 2045 §5.1](https://datatracker.ietf.org/doc/html/rfc2045#section-5.1),
///   [RFC 2231](https://datatracker.ietf.org/doc/html/rfc2231)
public struct ContentType: Hashable, Sendable {
    /// The top-level type, lower-cased, e.g. `text`.
    public var type: String
    /// The subtype, lower-cased, e.g. `plain`.
    public var subtype: String
    /// The parameters by lower-cased name, values unquoted (case kept).
    public var parameters: [String: String]

    /// A content type from its parts; names are lower-cased.
    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type.asciiLowercased()
        self.subtype = subtype.asciiLowercased()
        self.parameters = Dictionary(parameters.map { ($0.key.asciiLowercased(), $0.value) }) { first, _ in first }
    }

    /// `text/plain; charset=us-ascii`, what a body without `Content-Type` is (RFC 2045 §5.2).
    public static let defaultType = ContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])

    /// Parses a header value; `nil` when there is no `type/subtype`. Parameters may be tokens
    /// or quoted strings; comments are skipped; malformed parameters are ignored; an RFC 2231
    /// extended value (`name*=utf-8''%E2%82%AC`) is decoded when its charset is known.
    public init?(parsing value: String) {
        let bytes = Array(value.utf8)
        var scanner = ParameterScanner(bytes: bytes)
        guard let type = scanner.token(), scanner.consume(ASCII.slash), let subtype = scanner.token() else {
            return nil
        }
        var parameters: [String: String] = [:]
        while scanner.skip(to: ASCII.semicolon) {
            guard let name = scanner.token(), scanner.consume(ASCII.equals) else { continue }
            guard let parameterValue = scanner.value() else { continue }
            var key = name.asciiLowercased()
            var text = parameterValue
            if key.hasSuffix("*") {
                key.removeLast()
                text = Self.decodeExtended(parameterValue)
            }
            if parameters[key] == nil { parameters[key] = text }
        }
        self.type = type.asciiLowercased()
        self.subtype = subtype.asciiLowercased()
        self.parameters = parameters
    }

    /// `type/subtype`, lower-cased.
    public var mediaType: String { self.type + "/" + self.subtype }

    /// The parameter `name` (case-insensitive), or `nil`.
    public subscript(parameter name: String) -> String? {
        self.parameters[name.asciiLowercased()]
    }

    /// The `charset` parameter, or `nil`.
    public var charset: String? { self[parameter: "charset"] }

    /// The header value: `type/subtype; name=value`, values quoted when not tokens, parameters
    /// sorted by name.
    public var headerValue: String {
        var text = self.mediaType
        for (name, value) in self.parameters.sorted(by: { $0.key < $1.key }) {
            let isToken = !value.isEmpty && value.utf8.allSatisfy { Self.isTokenOctet($0) }
            text += "; " + name + "=" + (isToken ? value : "\"" + Self.escape(value) + "\"")
        }
        return text
    }

    // MARK: - Helpers

    /// RFC 2045 `token` octets: printable ASCII except SP and tspecials.
    static func isTokenOctet(_ byte: UInt8) -> Bool {
        guard byte > ASCII.space, byte < 0x7F else { return false }
        switch byte {
        case ASCII.openParen, ASCII.closeParen, ASCII.less, ASCII.greater, ASCII.at, ASCII.comma,
            ASCII.semicolon, ASCII.colon, ASCII.backslash, ASCII.quote, ASCII.slash, 0x5B, 0x5D, ASCII.question,
            ASCII.equals:
            return false
        default:
            return true
        }
    }

    private static func escape(_ value: String) -> String {
        var escaped = ""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(scalar)
        }
        return escaped
    }

    /// `charset'language'percent-encoded` (RFC 2231 §4).
    private static func decodeExtended(_ value: String) -> String {
        let parts = value.utf8.split(separator: 0x27, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let charset = Charset(name: parts[0]) else { return value }
        var bytes: [UInt8] = []
        var index = parts[2].startIndex
        let encoded = parts[2]
        while index < encoded.endIndex {
            let byte = encoded[index]
            let next = encoded.index(after: index)
            if byte == 0x25, next < encoded.endIndex, encoded.index(after: next) < encoded.endIndex,
                let high = encoded[next].hexValue, let low = encoded[encoded.index(after: next)].hexValue
            {
                bytes.append(high << 4 | low)
                index = encoded.index(next, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = next
            }
        }
        return charset.decode(bytes)
    }
}

// MARK: - Scanner

/// Reads `token`, `quoted-string` and separators of a structured header value, skipping white
/// space and comments in between.
struct ParameterScanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func skipWhitespaceAndComments() {
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte.isASCIIWhitespace {
                self.index += 1
            } else if byte == ASCII.openParen {
                var depth = 0
                while self.index < self.bytes.count {
                    let inner = self.bytes[self.index]
                    if inner == ASCII.backslash {
                        self.index += 1
                    } else if inner == ASCII.openParen {
                        depth += 1
                    } else if inner == ASCII.closeParen {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    self.index += 1
                }
                self.index += 1
            } else {
                return
            }
        }
    }

    mutating func token() -> String? {
        self.skipWhitespaceAndComments()
        let start = self.index
        while self.index < self.bytes.count, ContentType.isTokenOctet(self.bytes[self.index]) { self.index += 1 }
        guard self.index > start else { return nil }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        self.skipWhitespaceAndComments()
        guard self.index < self.bytes.count, self.bytes[self.index] == byte else { return false }
        self.index += 1
        return true
    }

    /// A token or a quoted string (unquoted); lenient about 8-bit octets in tokens.
    mutating func value() -> String? {
        self.skipWhitespaceAndComments()
        guard self.index < self.bytes.count else { return nil }
        if self.bytes[self.index] == ASCII.quote {
            self.index += 1
            var text: [UInt8] = []
            while self.index < self.bytes.count, self.bytes[self.index] != ASCII.quote {
                if self.bytes[self.index] == ASCII.backslash, self.index + 1 < self.bytes.count { self.index += 1 }
                text.append(self.bytes[self.index])
                self.index += 1
            }
            self.index += 1
            return String(decoding: text, as: UTF8.self)
        }
        let start = self.index
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == ASCII.semicolon || byte.isASCIIWhitespace { break }
            self.index += 1
        }
        guard self.index > start else { return nil }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    /// Moves past the next `;`; `false` at the end.
    mutating func skip(to separator: UInt8) -> Bool {
        var quoted = false
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            self.index += 1
            if quoted {
                if byte == ASCII.backslash {
                    self.index += 1
                } else if byte == ASCII.quote {
                    quoted = false
                }
            } else if byte == ASCII.quote {
                quoted = true
            } else if byte == separator {
                return true
            }
        }
        return false
    }
}
