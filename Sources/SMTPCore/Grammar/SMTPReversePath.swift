/// The reverse path of `MAIL FROM`: where failure reports go, or nowhere.
///
/// ```
/// Reverse-path = Path / "<>"
/// ```
///
/// - SeeAlso: [RFC 5321 §4.1.1.2](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.1.2)
public enum SMTPReversePath: Hashable, Sendable {
    /// `<>`: the null reverse path, used by bounces and other automatic mail.
    case null
    /// A mailbox.
    case mailbox(SMTPMailbox)

    /// The mailbox, or `nil` for the null path.
    public var mailbox: SMTPMailbox? {
        switch self {
        case .null: return nil
        case .mailbox(let mailbox): return mailbox
        }
    }
}

// MARK: - CustomStringConvertible

extension SMTPReversePath: CustomStringConvertible {
    /// The path as on the wire: `<>` or `<address>`.
    public var description: String {
        switch self {
        case .null: return "<>"
        case .mailbox(let mailbox): return mailbox.description
        }
    }
}
