import NIOCore
import NNTPCore

// MARK: - GROUP, LISTGROUP, LAST, NEXT

extension NNTPCommandExecutor {
    /// `GROUP name` → `211 count low high name` or `411`.
    ///
    /// - SeeAlso: [RFC 3977 §6.1.1](https://datatracker.ietf.org/doc/html/rfc3977#section-6.1.1)
    func group(_ name: String, context: inout NNTPSessionContext, writer: inout NNTPResponseWriter) async throws {
        guard let info = try await self.backend.group(named: name) else {
            writer.buffer.writeNNTPStatusLine(.noSuchGroup, "no such newsgroup")
            return
        }
        Self.select(info, context: &context, writingTo: &writer.buffer)
    }

    /// Selects the group `GROUP` found and writes its `211`.
    static func select(_ info: NNTPGroupInfo, context: inout NNTPSessionContext, writingTo buffer: inout ByteBuffer) {
        Self.select(info, context: &context)
        buffer.writeNNTPStatusLine(.groupSelected, "\(info.count) \(info.low) \(info.high) \(info.name)")
    }

    /// `LISTGROUP [name [range]]` → `211 count low high name` and the article numbers.
    ///
    /// - SeeAlso: [RFC 3977 §6.1.2](https://datatracker.ietf.org/doc/html/rfc3977#section-6.1.2)
    func listGroup(
        _ name: String?,
        range: ArticleRange?,
        context: inout NNTPSessionContext,
        writer: inout NNTPResponseWriter
    ) async throws {
        guard let name = name ?? context.selectedGroup else {
            writer.buffer.writeNNTPStatusLine(.noGroupSelected, "no newsgroup selected")
            return
        }
        guard let info = try await self.backend.group(named: name) else {
            writer.buffer.writeNNTPStatusLine(.noSuchGroup, "no such newsgroup")
            return
        }
        var numbers: [Int64] = []
        if info.count > 0, info.low <= info.high,
            let wanted = (range ?? .from(info.low)).closedRange(clampedTo: info.low...info.high)
        {
            numbers = try await self.backend.articleNumbers(inGroup: info.name, range: wanted)
        }
        Self.select(info, context: &context)
        writer.buffer.writeNNTPStatusLine(
            .groupSelected,
            "\(info.count) \(info.low) \(info.high) \(info.name) list follows"
        )
        for number in numbers {
            writer.buffer.writeNNTPDataLine(String(number))
            try await writer.flushIfFull()
        }
        writer.buffer.writeNNTPTerminator()
    }

    private static func select(_ info: NNTPGroupInfo, context: inout NNTPSessionContext) {
        context.selectedGroup = info.name
        context.currentArticle = info.count > 0 ? info.low : nil
    }

    /// `LAST` / `NEXT` → `223 n message-id`, `412`, `420`, `422` or `421`.
    ///
    /// - SeeAlso: [RFC 3977 §6.1.3](https://datatracker.ietf.org/doc/html/rfc3977#section-6.1.3)
    func neighbour(
        _ direction: NNTPNeighbourDirection,
        context: inout NNTPSessionContext,
        writer: inout NNTPResponseWriter
    ) async throws {
        guard let group = context.selectedGroup else {
            writer.buffer.writeNNTPStatusLine(.noGroupSelected, "no newsgroup selected")
            return
        }
        guard let current = context.currentArticle else {
            writer.buffer.writeNNTPStatusLine(.currentArticleInvalid, "current article number is invalid")
            return
        }
        guard let found = try await self.backend.neighbour(inGroup: group, of: current, direction: direction) else {
            switch direction {
            case .next: writer.buffer.writeNNTPStatusLine(.noNextArticle, "no next article in this group")
            case .previous: writer.buffer.writeNNTPStatusLine(.noPreviousArticle, "no previous article in this group")
            }
            return
        }
        context.currentArticle = found.number
        writer.buffer.writeNNTPStatusLine(.articleExists, "\(found.number) \(found.messageID) retrieved")
    }
}
