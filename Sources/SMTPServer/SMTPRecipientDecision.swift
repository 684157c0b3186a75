/// The backend's answer to `RCPT TO`.
public enum SMTPRecipientDecision: Hashable, Sendable {
    /// The address receives mail here: `250 2.1.5`.
    case accepted
    /// No such recipient: `550 5.1.1 <address>: text`.
    case refused(String)
    /// Cannot say now (the store is busy): `451 4.3.0 <address>: text`; the client retries.
    case temporaryFailure(String)
}
