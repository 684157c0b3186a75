import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import Maildir
import NNTPCore

extension Admin {
    /// How far `forllm mail sync` is: copies handled of those that were waiting.
    public struct MailSyncProgress: Hashable, Sendable {
        public var done: Int
        public var total: Int
    }

    struct MailSyncJSON: Encodable {
        var maildir: String
        var layout: String
        var groups: [String]
        var queued: Int
        var delivered: Int
        var alreadyThere: Int
        var removed: Int
        var failed: Int
        var pending: Int
        @Nullable var lastError: String?
    }

    /// `forllm mail sync`: queues a delivery for every stored article of the delivered groups
    /// (those of `mail.groups`, narrowed by `pattern`) that has none, and delivers everything
    /// waiting in those groups. Running it again delivers nothing twice.
    /// Throws ``ConfigurationError`` while mail is off.
    public func mailSync(
        groups pattern: String?,
        json: Bool,
        logger: Logger,
        progress: (@Sendable (MailSyncProgress) -> Void)? = nil
    ) async throws -> String {
        guard let deliverer = MailDeliverer(self.configuration.mailDelivery, forum: self.forum, logger: logger) else {
            throw Self.mailIsOff
        }
        var filter: Wildmat?
        if let pattern {
            do throws(NNTPParserError) {
                filter = try Wildmat(pattern)
            } catch {
                throw ConfigurationError(key: "--group", problem: "'\(pattern)' is not a wildmat: \(error.hint)")
            }
        }
        let names = self.forum.deliveredGroups(among: try await self.database.groups().map(\.name))
            .filter { filter?.matches($0) ?? true }
        let queued = try await self.database.enqueueMissingDeliveries(groups: names, now: self.now)
        let total = try await self.database.waitingDeliveryCount(groups: names)
        progress?(MailSyncProgress(done: 0, total: total))
        let summary = try await deliverer.deliverDue(groups: names) { summary in
            let done = summary.delivered + summary.recovered + summary.removed + summary.failed
            progress?(MailSyncProgress(done: min(done, total), total: total))
        }
        let pending = try await self.database.waitingDeliveryCount(groups: names)
        let result = MailSyncJSON(
            maildir: deliverer.tree.root,
            layout: deliverer.tree.layout.rawValue,
            groups: names,
            queued: queued,
            delivered: summary.delivered,
            alreadyThere: summary.recovered,
            removed: summary.removed,
            failed: summary.failed,
            pending: pending,
            lastError: summary.lastError
        )
        if json { return try JSONOutput.encode(result) }
        var line =
            "delivered \(summary.delivered) articles (\(queued) newly queued) in \(names.count) groups "
            + "to \(deliverer.tree.root)"
        if summary.recovered > 0 { line += "; \(summary.recovered) were there already" }
        if summary.removed > 0 { line += "; removed \(summary.removed) withdrawn" }
        if pending > 0 { line += "; \(pending) still pending (last error: \(summary.lastError ?? "none"))" }
        return line
    }

    struct MailStatusJSON: Encodable {
        var group: String
        var delivered: Int
        var pending: Int
        var removalPending: Int
        var removed: Int
        @Nullable var lastError: String?
        @Nullable var lastDeliveredAt: Date?
        var maildir: String
    }

    /// `forllm mail status`: per group, copies delivered, pending (to write or to remove) and
    /// the last error; every delivered group is listed, also one with nothing delivered yet.
    public func mailStatus(json: Bool) async throws -> String {
        guard let tree = self.configuration.mailDelivery.tree else { throw Self.mailIsOff }
        var byGroup = Dictionary(
            uniqueKeysWithValues: try await self.database.deliveryStatus().map { ($0.group, $0) }
        )
        for name in self.forum.deliveredGroups(among: try await self.database.groups().map(\.name))
        where byGroup[name] == nil {
            byGroup[name] = DeliveryGroupStatus(group: name)
        }
        let items = byGroup.values.sorted { $0.group < $1.group }.map { status in
            MailStatusJSON(
                group: status.group,
                delivered: status.delivered,
                pending: status.pending,
                removalPending: status.removalPending,
                removed: status.removed,
                lastError: status.lastError,
                lastDeliveredAt: status.lastDeliveredAt,
                maildir: (try? tree.folder(status.group).path) ?? ""
            )
        }
        if json { return try JSONOutput.encode(items) }
        if items.isEmpty { return "no groups are delivered (mail.groups: \(self.configuration.mailDelivery.groups))" }
        return TextTable.render(
            header: ["GROUP", "DELIVERED", "PENDING", "REMOVING", "ERROR"],
            rows: items.map {
                [
                    $0.group, String($0.delivered), String($0.pending), String($0.removalPending),
                    Self.oneLine($0.lastError ?? "", limit: 80)
                ]
            }
        )
    }

    static var mailIsOff: ConfigurationError {
        ConfigurationError(
            key: "mail.maildir",
            problem: "is not set, so mail is off; set it to the directory of the Maildirs (like ~/Mail/forllm)"
        )
    }
}
