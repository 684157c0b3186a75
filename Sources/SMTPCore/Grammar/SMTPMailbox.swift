/// A mailbox of the envelope: `Local-part "@" ( Domain / address-literal )`.
///
/// ```
/// Mailbox    = Local-part "@" ( Domain / address-literal )
/// Local-part = Dot-string / Quoted-string
/// ```
///
/// UTF-8 is allowed in both parts (RFC 6531); whether the transaction allows it is the
/// session's business (``isASCII``).
///
/// - SeeAlso: [RFC 5321 §4.1.2](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.2),
///   [RFC 6531 §3.3](https://datatracker.ietf.org/doc/html/rfc6531#section-3.3)
public struct SMTPMailbox: Hashable, Sendable {
    /// The local part, unquoted: the content of a Quoted-string with its quoted-pairs resolved,
    /// or the Dot-string as written.
    public var localPart: String
    /// The domain as written: a domain name (never with a trailing dot), or an address literal
    /// with its brackets, e.g. `[127.0.0.1]`.
    public var domain: String
    /// The mailbox as the client wrote it, without angle brackets (a quoted local part keeps
    /// its quotes).
    public var address: String

    /// Creates a mailbox. `address` defaults to `localPart@domain`, which is the wire form
    /// whenever the local part is a Dot-string.
    public init(localPart: String, domain: String, address: String? = nil) {
        self.localPart = localPart
        self.domain = domain
        self.address = address ?? "\(localPart)@\(domain)"
    }

    /// Whether the mailbox is all ASCII; otherwise it needs an `SMTPUTF8` transaction.
    public var isASCII: Bool {
        self.address.utf8.allSatisfy { $0 < 0x80 }
    }
}

// MARK: - CustomStringConvertible

extension SMTPMailbox: CustomStringConvertible {
    /// `<address>`, as in a path and in replies that name the mailbox.
    public var description: String {
        "<\(self.address)>"
    }
}
