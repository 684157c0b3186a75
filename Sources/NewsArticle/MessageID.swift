import Foundation

/// A Message-ID, `<left@right>`, validated per RFC 5536 §3.1.3 (msg-id) with RFC 3977 §3.6's
/// limits: printable US-ASCII only, no whitespace, at most 250 octets including the brackets,
/// exactly one unquoted `@` with non-empty sides, no `<` or `>` inside.
///
/// ```
/// <20261125.1730.abc@forllm.local>
/// ```
/// - SeeAlso: [RFC 5536 §3.1.3](https://datatracker.ietf.org/doc/html/rfc5536#section-3.1.3)
public struct MessageID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The whole identifier, angle brackets included.
    public let value: String

    /// Longest identifier accepted, in octets, brackets included (RFC 3977 §3.6).
    public static let maximumLength = 250

    /// Validates `text` (brackets included, surrounding whitespace not allowed).
    public init(_ text: some StringProtocol) throws(ArticleError) {
        let text = String(text)
        if let problem = Self.problem(text.utf8) {
            throw ArticleError(.invalidMessageID, "\(text.quotedForMessage()) is not a valid message-id: \(problem)")
        }
        self.value = text
    }

    /// Validates without throwing; `nil` when invalid.
    public init?(validating text: some StringProtocol) {
        guard let id = try? MessageID(text) else { return nil }
        self = id
    }

    /// An identifier already known to be valid.
    init(unchecked value: String) {
        self.value = value
    }

    /// A fresh identifier `<unique@domain>`; `unique` is random (time + 64 random bits, base 36).
    public static func generate(domain: String) -> MessageID {
        let millis = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let random = UInt64.random(in: .min ... .max)
        let left = String(millis, radix: 36) + "." + String(random, radix: 36)
        return MessageID(unchecked: "<" + left + "@" + Self.sanitizedDomain(domain) + ">")
    }

    /// An identifier derived from a stable key, so that the same key always yields the same
    /// identifier: `<key-sanitised@domain>`. Letters, digits, `-` and `.` are kept (a `.` only
    /// between two other characters); every other octet is written `_XX` (hex), so distinct
    /// keys give distinct identifiers. A key too long for the 250-octet limit is shortened and
    /// completed with a 64-bit FNV-1a hash of the whole key.
    /// Used for answer articles: a request that runs twice can never post two answers.
    public static func derived(from key: String, domain: String) -> MessageID {
        let domain = Self.sanitizedDomain(domain)
        let budget = Self.maximumLength - 3 - domain.utf8.count
        let key = Array(key.utf8)
        var left: [UInt8] = []
        left.reserveCapacity(key.count)
        for (index, byte) in key.enumerated() {
            let isDotAllowed =
                byte == ASCII.dot && index > 0 && index + 1 < key.count && key[index - 1] != ASCII.dot
            if byte.isASCIILetter || byte.isASCIIDigit || byte == ASCII.minus || isDotAllowed {
                left.append(byte)
            } else {
                left.append(ASCII.underscore)
                left.append(contentsOf: Self.hex(byte))
            }
        }
        if left.isEmpty { left = Array("_".utf8) }
        if left.count > budget {
            let hash = "_" + String(Self.fnv1a(key), radix: 36)
            left = Array(left.prefix(budget - hash.utf8.count))
            while left.last == ASCII.dot { left.removeLast() }
            left.append(contentsOf: hash.utf8)
        }
        return MessageID(unchecked: "<" + String(decoding: left, as: UTF8.self) + "@" + domain + ">")
    }

    public static func < (lhs: MessageID, rhs: MessageID) -> Bool { lhs.value < rhs.value }
    public var description: String { self.value }

    // MARK: - Helpers

    /// Why `bytes` is not a valid identifier, or `nil` when it is.
    static func problem(_ bytes: some BidirectionalCollection<UInt8>) -> String? {
        guard bytes.count <= Self.maximumLength else {
            return "longer than \(Self.maximumLength) octets"
        }
        guard bytes.first == ASCII.less, bytes.last == ASCII.greater, bytes.count >= 2 else {
            return "it must be enclosed in '<' and '>'"
        }
        var atCount = 0
        var quoted = false
        var escaped = false
        var leftLength = 0
        var rightLength = 0
        for (offset, byte) in bytes.enumerated() {
            guard byte > 32 && byte < 127 else {
                if byte == ASCII.space || byte == ASCII.tab { return "it contains white space" }
                return "it contains a character that is not printable US-ASCII"
            }
            if offset == 0 || offset == bytes.count - 1 { continue }
            if escaped {
                escaped = false
            } else if quoted && byte == ASCII.backslash {
                escaped = true
            } else if byte == ASCII.quote {
                quoted.toggle()
            } else if !quoted && byte == ASCII.at {
                atCount += 1
                continue
            } else if byte == ASCII.greater || byte == ASCII.less {
                return "'<' or '>' inside"
            }
            if atCount == 0 { leftLength += 1 } else { rightLength += 1 }
        }
        guard atCount == 1 else {
            return atCount == 0 ? "no '@'" : "more than one '@'"
        }
        guard leftLength > 0, rightLength > 0 else {
            return "empty before or after '@'"
        }
        return nil
    }

    /// `domain` restricted to letters, digits, `-` and `.`, others replaced by `-`; a domain
    /// that ends up empty becomes `forllm.invalid`.
    static func sanitizedDomain(_ domain: String) -> String {
        var bytes: [UInt8] = []
        for byte in domain.utf8.prefix(200) {
            if byte.isASCIILetter || byte.isASCIIDigit || byte == ASCII.minus || byte == ASCII.dot {
                bytes.append(byte)
            } else {
                bytes.append(ASCII.minus)
            }
        }
        while bytes.first == ASCII.dot { bytes.removeFirst() }
        while bytes.last == ASCII.dot { bytes.removeLast() }
        return bytes.isEmpty ? "forllm.invalid" : String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }

    /// FNV-1a, 64 bits: stable across processes (unlike `Hasher`).
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
