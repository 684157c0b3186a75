/// A Message-ID, `<left@right>`, validated per RFC 5536 §3.1.3 (msg-id) with RFC 3977 §3.6's
/// limits: printable US-ASCII only, no whitespace, at most 250 octets including the brackets,
/// exactly one unquoted `@` with non-empty sides, no `>` inside.
///
/// ```
/// <20261125.1730.abc@forllm.local>
/// ```
/// - SeeAlso: [RFC 5536 §3.1.3](https://datatracker.ietf.org/doc/html/rfc5536#section-3.1.3)
public struct MessageID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The whole identifier, angle brackets included.
    public let value: String

    /// Validates `text` (brackets included, surrounding whitespace not allowed).
    public init(_ text: some StringProtocol) throws(ArticleError) {
        fatalError("unimplemented")
    }

    /// Validates without throwing; `nil` when invalid.
    public init?(validating text: some StringProtocol) {
        guard let id = try? MessageID(text) else { return nil }
        self = id
    }

    /// A fresh identifier `<unique@domain>`; `unique` is random (time + 64 random bits, base 36).
    public static func generate(domain: String) -> MessageID {
        fatalError("unimplemented")
    }

    /// An identifier derived from a stable key, so that the same key always yields the same
    /// identifier: `<key-sanitised@domain>` (characters outside the allowed set are replaced).
    /// Used for answer articles: a request that runs twice can never post two answers.
    public static func derived(from key: String, domain: String) -> MessageID {
        fatalError("unimplemented")
    }

    public static func < (lhs: MessageID, rhs: MessageID) -> Bool { lhs.value < rhs.value }
    public var description: String { self.value }
}
