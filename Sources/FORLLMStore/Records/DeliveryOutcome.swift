import Foundation

/// What became of a ``ClaimedDelivery``.
public enum DeliveryOutcome: Hashable, Sendable {
    /// The copy is in `new/` (or was found there or in `cur/` from an earlier try).
    case delivered(id: Int64)
    /// The file is gone from the Maildir (or was never there).
    case removed(id: Int64)
    /// It failed; tried again at `retryAt`.
    case failed(id: Int64, error: String, retryAt: Date)
    /// The article no longer exists and nothing was written: nothing to deliver.
    case dropped(id: Int64, reason: String)
}
