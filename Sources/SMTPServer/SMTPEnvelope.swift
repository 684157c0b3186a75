import SMTPCore

/// The envelope of a message: what `EHLO`, `MAIL` and `RCPT` said about it.
///
/// - SeeAlso: [RFC 5321 §2.3.1](https://datatracker.ietf.org/doc/html/rfc5321#section-2.3.1)
public struct SMTPEnvelope: Hashable, Sendable {
    /// The `MAIL FROM` path; ``SMTPReversePath/null`` for `<>`.
    public var reversePath: SMTPReversePath
    /// The recipients the backend accepted, in the order given, without duplicates.
    public var recipients: [SMTPMailbox]
    /// The client's `MAIL` parameters (declared size, body type, `SMTPUTF8`).
    public var parameters: SMTPMailParameters
    /// The name the client gave in `EHLO` or `HELO`.
    public var clientName: String

    /// Creates an envelope.
    public init(
        reversePath: SMTPReversePath,
        recipients: [SMTPMailbox],
        parameters: SMTPMailParameters = SMTPMailParameters(),
        clientName: String
    ) {
        self.reversePath = reversePath
        self.recipients = recipients
        self.parameters = parameters
        self.clientName = clientName
    }
}
