import SMTPCore

/// What the SMTP server needs from the application: who may receive mail, and where a message
/// goes.
///
/// The server calls these from a connection's task, one call at a time per connection, never
/// on an event loop; they may take as long as they need (the connection waits, other
/// connections do not).
public protocol SMTPBackend: Sendable {
    /// Whether `address` (of `RCPT TO`) is a recipient this server takes mail for.
    ///
    /// `<Postmaster>` without a domain arrives as `postmaster@` the configured host name.
    ///
    /// - Returns: ``SMTPRecipientDecision/accepted`` (`250`); ``SMTPRecipientDecision/refused(_:)``
    ///   (`550`, the reply names the address, then gives the text); or
    ///   ``SMTPRecipientDecision/temporaryFailure(_:)`` (`451`).
    func recipient(_ address: SMTPMailbox) async -> SMTPRecipientDecision

    /// Takes a message for the recipients of `envelope`.
    ///
    /// - Parameters:
    ///   - envelope: The reverse path, the accepted recipients and what the client declared.
    ///   - message: The message as received: dot-unstuffed, every line ending in CRLF, 8-bit
    ///     bytes as they came. No trace (`Received:`) header is added.
    /// - Returns: ``SMTPDeliveryOutcome/accepted(id:)`` (`250` with the id),
    ///   ``SMTPDeliveryOutcome/refused(_:)`` (`554` with the reason), or
    ///   ``SMTPDeliveryOutcome/temporaryFailure(_:)`` (`451`).
    func deliver(_ envelope: SMTPEnvelope, message: [UInt8]) async -> SMTPDeliveryOutcome
}
