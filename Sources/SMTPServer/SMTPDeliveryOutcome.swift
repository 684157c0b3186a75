/// The backend's answer to a complete message.
public enum SMTPDeliveryOutcome: Hashable, Sendable {
    /// Taken: `250 2.0.0 accepted as ID`. The id is for the client's log (a Message-ID, say).
    case accepted(id: String)
    /// Refused for good (not a valid article, say): `554 5.6.0 reason`.
    case refused(String)
    /// Not taken now (the store is busy): `451 4.3.0 reason`; the client retries later.
    case temporaryFailure(String)
}
