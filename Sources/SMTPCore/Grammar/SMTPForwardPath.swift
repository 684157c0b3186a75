/// The forward path of `RCPT TO`: a mailbox, or the bare `<Postmaster>`.
///
/// ```
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
///        [SP Rcpt-parameters] CRLF
/// ```
///
/// `<Postmaster@domain>` is an ordinary mailbox; only the domain-less form is its own case.
///
/// - SeeAlso: [RFC 5321 §4.1.1.3](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.1.3)
public enum SMTPForwardPath: Hashable, Sendable {
    /// `<Postmaster>`, case-insensitive, which every server must accept for its own domain.
    case postmaster
    /// A mailbox.
    case mailbox(SMTPMailbox)
}

// MARK: - CustomStringConvertible

extension SMTPForwardPath: CustomStringConvertible {
    /// The path as on the wire: `<Postmaster>` or `<address>`.
    public var description: String {
        switch self {
        case .postmaster: return "<Postmaster>"
        case .mailbox(let mailbox): return mailbox.description
        }
    }
}
