import FORLLMStore
import Foundation
import NewsArticle

// Maildir delivery, the forum's side: which stored articles are delivered (to which groups'
// Maildirs), that a withdrawal takes them out again, and what the copy looks like. Both
// queue in the article's own transaction, so that a delivery is recorded exactly when the
// article is; the deliverer (FORLLMApp) writes the files.

extension Forum {
    /// Queues a Maildir delivery of a stored article for each of its groups that is delivered;
    /// nothing while mail is off (``ForumConfiguration/deliveredGroups`` is `nil`).
    func enqueueDeliveries(
        articleID: Int64,
        messageID: MessageID,
        groups: [GroupRow],
        now: Date,
        _ transaction: StoreTransaction
    ) throws {
        guard let delivered = self.configuration.deliveredGroups else { return }
        try transaction.enqueueDeliveries(
            articleID: articleID,
            messageID: messageID.value,
            groups: groups.map(\.name).filter(delivered.matches),
            now: now
        )
    }

    /// The copies of a withdrawn article (cancel, Supersedes) leave the Maildirs. Also while
    /// mail is off: copies delivered before stay only as long as their article.
    func enqueueRemovals(articleID: Int64, now: Date, _ transaction: StoreTransaction) throws {
        try transaction.enqueueRemovals(articleID: articleID, now: now, notifying: self.database.deliverySignal)
    }

    /// ``enqueueRemovals(articleID:now:_:)`` for the article `messageID`, if it is stored.
    func enqueueRemovals(messageID: String, now: Date, _ transaction: StoreTransaction) throws {
        guard let stored = try transaction.articleSummary(messageID: messageID) else { return }
        try self.enqueueRemovals(articleID: stored.id, now: now, transaction)
    }

    /// The groups among `names` whose articles are delivered; none while mail is off.
    public func deliveredGroups(among names: [String]) -> [String] {
        guard let delivered = self.configuration.deliveredGroups else { return [] }
        return names.filter(delivered.matches)
    }

    /// The copy of a stored article for `group`'s Maildir: the article as stored (head and
    /// body, `Path` and `Xref` included) plus what mail clients need to thread and reply:
    ///
    /// ```
    /// In-Reply-To: <last References entry>      (unless the article has one)
    /// List-Id: <GROUP.HOSTNAME>
    /// List-Post: <mailto:GROUP@HOSTNAME>
    /// ```
    /// appended after the article's own header lines (a `List-Id` or `List-Post` the article
    /// brought along, from a mailing list, gives way to the forum's). Nothing else changes,
    /// byte for byte; CRLF lines, as stored.
    /// - SeeAlso: [RFC 2919](https://datatracker.ietf.org/doc/html/rfc2919) (List-Id),
    ///   [RFC 2369](https://datatracker.ietf.org/doc/html/rfc2369) (List-Post)
    public func mailCopy(head: Data, body: Data, references: String, group: String) -> [UInt8] {
        Self.mailCopy(
            head: head,
            body: body,
            references: references,
            group: group,
            hostname: self.configuration.hostname
        )
    }

    /// ``mailCopy(head:body:references:group:)`` with the host name given.
    public static func mailCopy(head: Data, body: Data, references: String, group: String, hostname: String) -> [UInt8]
    {
        var copy: [UInt8] = []
        copy.reserveCapacity(head.count + body.count + 2 * group.utf8.count + 2 * hostname.utf8.count + 96)
        let hasInReplyTo = head.withUnsafeBytes { raw in
            Self.appendHeaderLines(of: raw.bindMemory(to: UInt8.self), to: &copy)
        }
        if !hasInReplyTo, let parent = Self.lastMessageID(in: references) {
            copy.append(contentsOf: "In-Reply-To: \(parent)\r\n".utf8)
        }
        copy.append(contentsOf: "List-Id: <\(group).\(hostname)>\r\n".utf8)
        copy.append(contentsOf: "List-Post: <mailto:\(group)@\(hostname)>\r\n\r\n".utf8)
        copy.append(contentsOf: body)
        return copy
    }

    /// Appends the header lines of `head` to `copy`, but for `List-Id` and `List-Post`
    /// (continuation lines included). Returns whether `head` has an `In-Reply-To`.
    private static func appendHeaderLines(of head: UnsafeBufferPointer<UInt8>, to copy: inout [UInt8]) -> Bool {
        var hasInReplyTo = false
        var skipping = false
        var lineStart = 0
        while lineStart < head.count {
            var lineEnd = lineStart
            while lineEnd < head.count, head[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            if lineEnd < head.count { lineEnd += 1 }
            let line = UnsafeBufferPointer(rebasing: head[lineStart..<lineEnd])
            lineStart = lineEnd
            let first = line[0]
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                if !skipping { copy.append(contentsOf: line) }
                continue
            }
            let name = UnsafeBufferPointer(rebasing: line.prefix { $0 != UInt8(ascii: ":") })
            skipping = Self.fieldName(name, is: "list-id") || Self.fieldName(name, is: "list-post")
            if Self.fieldName(name, is: "in-reply-to") { hasInReplyTo = true }
            if !skipping { copy.append(contentsOf: line) }
        }
        return hasInReplyTo
    }

    private static func fieldName(_ bytes: UnsafeBufferPointer<UInt8>, is lowercased: String) -> Bool {
        guard bytes.count == lowercased.utf8.count else { return false }
        return zip(bytes, lowercased.utf8).allSatisfy { byte, expected in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) == expected
        }
    }

    /// The last `<...>` of a References value.
    private static func lastMessageID(in references: String) -> String? {
        references.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            .last { $0.hasPrefix("<") && $0.hasSuffix(">") }
            .map(String.init)
    }
}
