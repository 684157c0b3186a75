import Foundation
import NIOCore
import NNTPCore

// MARK: - LIST, NEWGROUPS, NEWNEWS

extension NNTPCommandExecutor {
    /// The `LIST OVERVIEW.FMT` fields after the first five, in the form for clients that never
    /// sent `CAPABILITIES` (slrn compares them with `Bytes:`/`Lines:` and turns `XOVER` off
    /// otherwise) and for those that did (RFC 3977 `:bytes`/`:lines`), as INN does. tin checks
    /// for `Xref:full`.
    ///
    /// - SeeAlso: [RFC 3977 §8.4](https://datatracker.ietf.org/doc/html/rfc3977#section-8.4)
    static func overviewFormat(sentCapabilities: Bool) -> [String] {
        let metadata = sentCapabilities ? [":bytes", ":lines"] : ["Bytes:", "Lines:"]
        return ["Subject:", "From:", "Date:", "Message-ID:", "References:"] + metadata + ["Xref:full"]
    }

    /// `LIST [variant]` → `215` and the list, or `503` for `MOTD`.
    ///
    /// - SeeAlso: [RFC 3977 §7.6](https://datatracker.ietf.org/doc/html/rfc3977#section-7.6),
    ///   [RFC 6048](https://datatracker.ietf.org/doc/html/rfc6048)
    func list(_ variant: NNTPListVariant, context: NNTPSessionContext, writer: inout NNTPResponseWriter) async throws {
        switch variant {
        case .active(let wildmat):
            let groups = try await self.groups(matching: wildmat)
            writer.buffer.writeNNTPStatusLine(.informationFollows, "list of newsgroups follows")
            for group in groups {
                writer.buffer.writeNNTPDataLine(
                    "\(group.name) \(group.high) \(group.low) \(Self.statusLetter(group.status))"
                )
                try await writer.flushIfFull()
            }
        case .activeTimes(let wildmat):
            let groups = try await self.groups(matching: wildmat)
            writer.buffer.writeNNTPStatusLine(.informationFollows, "list of newsgroup creation times follows")
            for group in groups {
                let created = Int64(group.createdAt.timeIntervalSince1970.rounded(.down))
                let creator =
                    group.creator.isEmpty
                    ? "unknown" : Self.sanitised(group.creator).replacingOccurrences(of: " ", with: "_")
                writer.buffer.writeNNTPDataLine("\(group.name) \(created) \(creator)")
                try await writer.flushIfFull()
            }
        case .newsgroups(let wildmat):
            let groups = try await self.groups(matching: wildmat)
            writer.buffer.writeNNTPStatusLine(.informationFollows, "list of newsgroup descriptions follows")
            for group in groups {
                writer.buffer.writeNNTPDataLine("\(group.name)\t\(Self.sanitised(group.description))")
                try await writer.flushIfFull()
            }
        case .counts(let wildmat):
            let groups = try await self.groups(matching: wildmat)
            writer.buffer.writeNNTPStatusLine(.informationFollows, "list of newsgroups with counts follows")
            for group in groups {
                writer.buffer.writeNNTPDataLine(
                    "\(group.name) \(group.high) \(group.low) \(group.count) \(Self.statusLetter(group.status))"
                )
                try await writer.flushIfFull()
            }
        case .overviewFormat:
            writer.buffer.writeNNTPStatusLine(.informationFollows, "order of fields in overview database")
            for field in Self.overviewFormat(sentCapabilities: context.sentCapabilities) {
                writer.buffer.writeNNTPDataLine(field)
            }
        case .headers:
            // ":" means any header; both the range and the message-id form serve every field.
            writer.buffer.writeNNTPStatusLine(.informationFollows, "headers and metadata items supported")
            writer.buffer.writeNNTPDataLine(":")
            writer.buffer.writeNNTPDataLine(":bytes")
            writer.buffer.writeNNTPDataLine(":lines")
        case .distributionPatterns:
            writer.buffer.writeNNTPStatusLine(.informationFollows, "default distributions follow")
        case .distributions:
            writer.buffer.writeNNTPStatusLine(.informationFollows, "list of distributions follows")
        case .subscriptions:
            writer.buffer.writeNNTPStatusLine(.informationFollows, "list of recommended newsgroups follows")
        case .messageOfTheDay:
            writer.buffer.writeNNTPStatusLine(.featureNotSupported, "no message of the day available")
            return
        }
        writer.buffer.writeNNTPTerminator()
    }

    private func groups(matching wildmat: Wildmat?) async throws -> [NNTPGroupInfo] {
        let groups = try await self.backend.groups()
        guard let wildmat else {
            return groups
        }
        return groups.filter { wildmat.matches($0.name) }
    }

    /// `NEWGROUPS date time [GMT]` → `231` and `name high low status` of the groups created at
    /// or after that time.
    ///
    /// - SeeAlso: [RFC 3977 §7.3](https://datatracker.ietf.org/doc/html/rfc3977#section-7.3)
    func newGroups(since dateTime: NNTPDateTime, writer: inout NNTPResponseWriter) async throws {
        let since = self.date(of: dateTime)
        let groups = try await self.backend.groups().filter { $0.createdAt >= since }
        writer.buffer.writeNNTPStatusLine(.newGroupsFollow, "list of new newsgroups follows")
        for group in groups {
            writer.buffer.writeNNTPDataLine(
                "\(group.name) \(group.high) \(group.low) \(Self.statusLetter(group.status))"
            )
            try await writer.flushIfFull()
        }
        writer.buffer.writeNNTPTerminator()
    }

    /// `NEWNEWS wildmat date time [GMT]` → `230` and the message-ids of the articles that
    /// arrived at or after that time in a group the wildmat matches.
    ///
    /// - SeeAlso: [RFC 3977 §7.4](https://datatracker.ietf.org/doc/html/rfc3977#section-7.4)
    func newNews(_ wildmat: Wildmat, since dateTime: NNTPDateTime, writer: inout NNTPResponseWriter) async throws {
        let since = self.date(of: dateTime)
        let articles = try await self.backend.articles(arrivedSince: since)
        writer.buffer.writeNNTPStatusLine(.newArticlesFollow, "list of new articles follows")
        for article in articles where article.groups.contains(where: { wildmat.matches($0) }) {
            writer.buffer.writeNNTPDataLine(article.messageID)
            try await writer.flushIfFull()
        }
        writer.buffer.writeNNTPTerminator()
    }
}
