import NIOCore
import NNTPCore

// MARK: - Answers from memory (GROUP, ARTICLE, HEAD, BODY, STAT)

extension NNTPCommandExecutor {
    /// Answers `command` from what the backend holds in memory, without waiting, as
    /// ``execute(_:context:writer:)`` would answer it: writes the complete response to `buffer`,
    /// changes `context` the same way, and returns `true`. Returns `false`, with nothing
    /// written or changed, when the answer needs the backend's `async` reads; the command then
    /// goes to ``execute(_:context:writer:)``.
    ///
    /// Only found groups and articles are answered here: that a group or article does *not*
    /// exist (`411`, `423`, `430`) is for the store to say, and so are the other commands.
    /// ``NNTPLoopAnswerer`` calls this on the event loop.
    public func answerFromMemory(
        _ command: NNTPCommand,
        context: inout NNTPSessionContext,
        into buffer: inout ByteBuffer
    ) -> Bool {
        switch command {
        case .group(let name):
            guard let info = self.backend.groupInMemory(named: name) else { return false }
            Self.select(info, context: &context, writingTo: &buffer)
            return true
        case .article(let selector):
            return self.articleFromMemory(selector, part: .whole, context: &context, into: &buffer)
        case .head(let selector):
            return self.articleFromMemory(selector, part: .head, context: &context, into: &buffer)
        case .body(let selector):
            return self.articleFromMemory(selector, part: .body, context: &context, into: &buffer)
        case .stat(let selector):
            guard let (number, found) = self.articleInMemory(selector, context: context) else { return false }
            if case .number = selector { context.currentArticle = number }
            buffer.writeNNTPStatusLine(.articleExists, "\(number) \(found.messageID) status")
            return true
        case .date, .listGroup, .last, .next, .newGroups, .newNews, .list, .over, .xover, .hdr, .xhdr, .xpat,
            .capabilities, .modeReader, .quit, .help, .post, .authinfoUser, .authinfoPass, .startTLS:
            return false
        }
    }

    private func articleFromMemory(
        _ selector: NNTPArticleSelector,
        part: ArticlePart,
        context: inout NNTPSessionContext,
        into buffer: inout ByteBuffer
    ) -> Bool {
        guard let (number, found) = self.articleInMemory(selector, context: context) else { return false }
        // By number, the article becomes the current one (as in `article(_:part:context:writer:)`).
        if case .number = selector { context.currentArticle = number }
        Self.write(found, number: number, part: part, to: &buffer)
        return true
    }

    /// The article `selector` names and the number its response shows, when held in memory.
    private func articleInMemory(
        _ selector: NNTPArticleSelector,
        context: NNTPSessionContext
    ) -> (number: Int64, article: NNTPArticle)? {
        switch selector {
        case .current:
            guard let group = context.selectedGroup, let current = context.currentArticle,
                let found = self.backend.articleInMemory(inGroup: group, number: current)
            else { return nil }
            return (current, found)
        case .number(let wanted):
            guard let group = context.selectedGroup,
                let found = self.backend.articleInMemory(inGroup: group, number: wanted)
            else { return nil }
            return (wanted, found)
        case .messageID(let messageID):
            guard let found = self.backend.articleInMemory(messageID: messageID) else { return nil }
            return (context.selectedGroup.flatMap { found.numbers[$0] } ?? 0, found)
        }
    }
}
