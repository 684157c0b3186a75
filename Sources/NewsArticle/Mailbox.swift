/// An author: an optional display name and an address, as in `From`.
///
/// ```
/// From: "Doe, Jane" <jane@example.org>
/// From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>
/// From: jane@example.org (Jane Doe)
/// From: jane@example.org
/// ```
/// - SeeAlso: [RFC 5322 §3.4](https://datatracker.ietf.org/doc/html/rfc5322#section-3.4)
public struct Mailbox: Hashable, Sendable {
    /// The display name with encoded words decoded and quoting removed; `nil` when absent.
    public var displayName: String?
    /// `local@domain`, as written (no angle brackets).
    public var address: String

    public init(displayName: String?, address: String) {
        self.displayName = displayName
        self.address = address
    }

    /// Parses the first mailbox of a `From` value in any of the forms above.
    /// Throws `.invalidFrom` when no `local@domain` address with non-empty sides is found.
    public init(parsing value: String) throws(ArticleError) {
        fatalError("unimplemented")
    }

    /// The name to show a person or a model: the display name, else the comment form's
    /// name, else the local part of the address.
    public var friendlyName: String {
        fatalError("unimplemented")
    }

    /// The header form: `Name <address>`, the name as an atom sequence when it is plain
    /// ASCII without specials, a quoted-string when it has specials, RFC 2047 encoded words
    /// when it is not ASCII; just `address` when there is no name.
    public var headerValue: String {
        fatalError("unimplemented")
    }
}
