import Foundation

/// Where delivery to one group's Maildir stands (`forllm mail status`).
public struct DeliveryGroupStatus: Hashable, Sendable {
    public var group: String
    /// Copies in the Maildir.
    public var delivered: Int
    /// Copies waiting to be written.
    public var pending: Int
    /// Withdrawn articles whose copy waits to be removed.
    public var removalPending: Int
    /// Withdrawn articles whose copy was removed.
    public var removed: Int
    /// The last error of a delivery still waiting, if any.
    public var lastError: String?
    /// When the last copy was written.
    public var lastDeliveredAt: Date?

    public init(
        group: String,
        delivered: Int = 0,
        pending: Int = 0,
        removalPending: Int = 0,
        removed: Int = 0,
        lastError: String? = nil,
        lastDeliveredAt: Date? = nil
    ) {
        self.group = group
        self.delivered = delivered
        self.pending = pending
        self.removalPending = removalPending
        self.removed = removed
        self.lastError = lastError
        self.lastDeliveredAt = lastDeliveredAt
    }
}
