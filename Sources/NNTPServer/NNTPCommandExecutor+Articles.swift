import NIOCore
import NNTPCore

// MARK: - ARTICLE, HEAD, BODY, STAT

extension NNTPCommandExecutor {
    /// Which part of an article a command returns.
    enum ArticlePart {
        case whole
        case head
        case body
    }

    /// `ARTICLE`/`HEAD`/`BODY` → `220`/`221`/`222 n message-id` and the text, or `412`, `420`,
    /// `423`, `430`. By number it makes the article current; by message-id the number is the
    /// article's number in the selected group, or 0.
    ///
    /// - SeeAlso: [RFC 3977 §6.2](https://datatracker.ietf.org/doc/html/rfc3977#section-6.2)
    func article(
        _ selector: NNTPArticleSelector,
        part: ArticlePart,
        context: inout NNTPSessionContext,
        writer: inout NNTPResponseWriter
    ) async throws {
        let number: Int64
        let found: NNTPArticle
        switch selector {
        case .current:
            guard let group = context.selectedGroup else {
                writer.buffer.writeNNTPStatusLine(.noGroupSelected, "no newsgroup selected")
                return
            }
            guard let current = context.currentArticle,
                let article = try await self.backend.article(inGroup: group, number: current)
            else {
                writer.buffer.writeNNTPStatusLine(.currentArticleInvalid, "current article number is invalid")
                return
            }
            number = current
            found = article
        case .number(let wanted):
            guard let group = context.selectedGroup else {
                writer.buffer.writeNNTPStatusLine(.noGroupSelected, "no newsgroup selected")
                return
            }
            guard let article = try await self.backend.article(inGroup: group, number: wanted) else {
                writer.buffer.writeNNTPStatusLine(.noArticleWithNumber, "no article with that number")
                return
            }
            context.currentArticle = wanted
            number = wanted
            found = article
        case .messageID(let messageID):
            guard let article = try await self.backend.article(messageID: messageID) else {
                writer.buffer.writeNNTPStatusLine(.noArticleWithMessageID, "no such article")
                return
            }
            number = context.selectedGroup.flatMap { article.numbers[$0] } ?? 0
            found = article
        }
        Self.write(found, number: number, part: part, to: &writer.buffer)
    }

    /// The `220`/`221`/`222` response: the status line, then the part, dot-stuffed and
    /// terminated.
    static func write(_ found: NNTPArticle, number: Int64, part: ArticlePart, to buffer: inout ByteBuffer) {
        let (head, body) = Self.split(found)
        // One allocation for the whole response instead of a doubling per power of two on the
        // way to the article's size (room for the status line, some dot-stuffing, the ".").
        buffer.reserveCapacity(minimumWritableBytes: found.bytes.readableBytes + 256)
        switch part {
        case .whole:
            buffer.writeNNTPStatusLine(.articleFollows, "\(number) \(found.messageID) article")
            buffer.writeNNTPDotStuffed(found.bytes)
        case .head:
            buffer.writeNNTPStatusLine(.headFollows, "\(number) \(found.messageID) head")
            buffer.writeNNTPDotStuffed(head)
        case .body:
            buffer.writeNNTPStatusLine(.bodyFollows, "\(number) \(found.messageID) body")
            buffer.writeNNTPDotStuffed(body)
        }
        buffer.writeNNTPTerminator()
    }

    /// `STAT` → `223 n message-id`, or `412`, `420`, `423`, `430`.
    ///
    /// - SeeAlso: [RFC 3977 §6.2.4](https://datatracker.ietf.org/doc/html/rfc3977#section-6.2.4)
    func stat(
        _ selector: NNTPArticleSelector,
        context: inout NNTPSessionContext,
        writer: inout NNTPResponseWriter
    ) async throws {
        switch selector {
        case .current:
            guard let group = context.selectedGroup else {
                writer.buffer.writeNNTPStatusLine(.noGroupSelected, "no newsgroup selected")
                return
            }
            guard let current = context.currentArticle,
                let ref = try await self.backend.articleRef(inGroup: group, number: current)
            else {
                writer.buffer.writeNNTPStatusLine(.currentArticleInvalid, "current article number is invalid")
                return
            }
            writer.buffer.writeNNTPStatusLine(.articleExists, "\(ref.number) \(ref.messageID) status")
        case .number(let wanted):
            guard let group = context.selectedGroup else {
                writer.buffer.writeNNTPStatusLine(.noGroupSelected, "no newsgroup selected")
                return
            }
            guard let ref = try await self.backend.articleRef(inGroup: group, number: wanted) else {
                writer.buffer.writeNNTPStatusLine(.noArticleWithNumber, "no article with that number")
                return
            }
            context.currentArticle = wanted
            writer.buffer.writeNNTPStatusLine(.articleExists, "\(ref.number) \(ref.messageID) status")
        case .messageID(let messageID):
            guard let entry = try await self.backend.overview(messageID: messageID) else {
                writer.buffer.writeNNTPStatusLine(.noArticleWithMessageID, "no such article")
                return
            }
            let number = context.selectedGroup.flatMap { entry.numbers[$0] } ?? 0
            writer.buffer.writeNNTPStatusLine(.articleExists, "\(number) \(messageID) status")
        }
    }

    /// The header section (with the CRLF of its last line) and the body (after the empty line)
    /// of an article, clamped so that a wrong `headerLength` cannot trap.
    static func split(_ article: NNTPArticle) -> (head: ByteBuffer, body: ByteBuffer) {
        let bytes = article.bytes
        let total = bytes.readableBytes
        let headLength = Swift.min(Swift.max(article.headerLength, 0), total)
        let head = bytes.getSlice(at: bytes.readerIndex, length: headLength) ?? ByteBuffer()
        var bodyStart = headLength
        // Skip the empty line that separates head and body.
        if total - bodyStart >= 2,
            bytes.getInteger(at: bytes.readerIndex + bodyStart, as: UInt8.self) == UInt8(ascii: "\r"),
            bytes.getInteger(at: bytes.readerIndex + bodyStart + 1, as: UInt8.self) == UInt8(ascii: "\n")
        {
            bodyStart += 2
        } else if total - bodyStart >= 1,
            bytes.getInteger(at: bytes.readerIndex + bodyStart, as: UInt8.self) == UInt8(ascii: "\n")
        {
            bodyStart += 1
        }
        let body = bytes.getSlice(at: bytes.readerIndex + bodyStart, length: total - bodyStart) ?? ByteBuffer()
        return (head, body)
    }
}
