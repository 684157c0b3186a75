import FORLLMForum
import FORLLMStore
import Foundation
import NewsArticle

/// What answering an article and summarising its thread share: the persona, the requested
/// article with its path from the thread's root, the backend's client and `num_ctx`, and how
/// the answer article is built around the model's text.
struct AnswerContext {
    var persona: Persona
    var articleID: Int64
    /// The thread from its root down to the requested article (its last entry).
    var path: [ThreadArticle]
    /// The path as the prompt's turns (images kept when the model sees), when asked for.
    var turns: [PromptTurn]
    var parent: Article
    var client: any LLMClient
    var contextLength: Int
    var keepAlive: String?
    /// The answer article for a generation's result, at a time.
    var build: (LLMChatResult, Date) throws -> AnswerArticle
    /// The most bytes of text the answer may have (the article limit less what the article
    /// around the text takes).
    var maximumTextBytes: Int
}

extension ReplyWorker {
    /// The parts of a request's context that do not depend on the prompt, or the reason the
    /// request cannot run (`.notRunnable`): the persona was deleted, the article removed, the
    /// backend is unknown.
    /// - Parameters:
    ///   - task: what the answer is (its `X-FORLLM-Task`).
    ///   - withTurns: whether the path is turned into prompt turns, and the answer says which
    ///     of the requested article's attachments the model did not get (an answer; a summary
    ///     reads the whole thread its own way).
    func answerContext(
        _ job: ClaimedJob,
        task: ForumTask = .answer,
        withTurns: Bool = true
    ) async throws -> AnswerContext {
        guard let persona = job.persona, persona.retiredAt == nil else {
            throw LLMError(.notRunnable, "the persona was deleted")
        }
        guard let articleID = job.request.articleID else {
            throw LLMError(.notRunnable, "the article to answer was removed")
        }
        let path = try await self.database.thread(ofArticle: articleID)
        guard let last = path.last, let parentID = MessageID(validating: last.article.messageID) else {
            throw LLMError(.notRunnable, "the article to answer was removed")
        }
        guard let client = self.clients[job.backend] else {
            throw LLMError(.notRunnable, "no backend named \(job.backend)")
        }
        let parent = try Article(parsing: last.article.bytes)
        let groups = try await self.replyGroups(parent: parent, fallback: job.request.groupName)
        let messageID = try MessageID(job.request.answerMessageID ?? "")
        let maximumArticleBytes = self.forum.configuration.postingPolicy.maximumBytes
        var turns: [PromptTurn] = []
        var note: String?
        if withTurns {
            let seesImages = await self.seesImages(job.model, client: client)
            // The personas that wrote in the thread: their notes come before their articles.
            var personas: [Int64: Persona] = [persona.id: persona]
            for id in Set(path.compactMap(\.authorPersonaID)) where personas[id] == nil {
                personas[id] = try await self.database.persona(id: id)
            }
            turns = Prompt.turns(of: path, personas: personas, seesImages: seesImages)
            note = Prompt.unseenNote(turns.last?.unseenAttachments ?? [], model: job.model)
        }
        let configuration = self.configuration
        let build = { (result: LLMChatResult, now: Date) throws -> AnswerArticle in
            try AnswerArticle.answer(
                parent: parent,
                parentID: parentID,
                groups: groups,
                messageID: messageID,
                persona: persona,
                model: job.model,
                backend: job.backend,
                text: result.text,
                truncations: result.truncations,
                invalidUTF8Replaced: result.invalidUTF8Replaced,
                usage: result.usage,
                maximumTokens: configuration.maximumAnswerTokens,
                maximumArticleBytes: maximumArticleBytes,
                attachmentNote: note,
                hostname: configuration.hostname,
                userAgent: configuration.userAgent,
                task: task,
                now: now
            )
        }
        // What the article around the text takes, measured on the answer without text.
        let empty = LLMChatResult(
            text: "",
            finishReason: nil,
            promptTokens: nil,
            completionTokens: nil,
            timeToFirstToken: nil,
            totalTime: .zero
        )
        let overhead = try build(empty, self.now()).article.serializedByteCount
        return AnswerContext(
            persona: persona,
            articleID: articleID,
            path: path,
            turns: turns,
            parent: parent,
            client: client,
            contextLength: try await self.contextLength(of: job.model, backend: job.backend, client: client),
            keepAlive: self.configuration.backend(named: job.backend)?.keepAlive,
            build: build,
            maximumTextBytes: AnswerArticle.textBudget(
                maximumArticleBytes: maximumArticleBytes,
                overheadBytes: overhead
            )
        )
    }
}
