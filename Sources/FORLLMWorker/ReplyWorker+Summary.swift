import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import NewsArticle

extension ReplyWorker {
    /// How many levels of part summaries a summary goes through at most: part summaries that
    /// do not get shorter than the budget are, at the last level, shortened to fit.
    static let maximumSummaryLevels = 4

    /// Runs a summary request (`task=summary`): summarises the whole thread of the requested
    /// article (every branch, oldest first) within `llm.context_chars`, in chunks and then the
    /// chunks' summaries when it is larger (``Prompt/summaryChunks(_:budget:)``), recording how
    /// far it has got as it goes, and posts the summary as a reply to the requesting article
    /// with `X-FORLLM-Task: summary`. A failed attempt starts again from the first chunk.
    func summarise(_ job: ClaimedJob, logger: Logger) async throws {
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
        let settings = self.configuration.backend(named: job.backend)
        let whole = try await self.database.wholeThread(ofArticle: articleID)
        let parent = try Article(parsing: last.article.bytes)
        let root = path.first.flatMap { try? Article(parsing: $0.article.bytes) } ?? parent
        let subject = root["Subject"].map(EncodedWord.decode) ?? ""
        let groups = try await self.replyGroups(parent: parent, fallback: job.request.groupName)
        let messageID = try MessageID(job.request.answerMessageID ?? "")
        let maximumArticleBytes = self.forum.configuration.postingPolicy.maximumBytes
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
                maximumTokens: self.configuration.maximumAnswerTokens,
                maximumArticleBytes: maximumArticleBytes,
                hostname: self.configuration.hostname,
                userAgent: self.configuration.userAgent,
                task: .summary,
                now: now
            )
        }
        let empty = LLMChatResult(
            text: "",
            finishReason: nil,
            promptTokens: nil,
            completionTokens: nil,
            timeToFirstToken: nil,
            totalTime: .zero
        )
        let overhead = try build(empty, self.now()).article.serializedByteCount
        let cap = settings?.maximumContextLength ?? 8192
        let contextLength = min(try await client.contextLength(of: job.model) ?? cap, cap)
        let call = { (input: Prompt.SummaryInput, text: String, part: (number: Int, count: Int)?) async throws in
            let messages = Prompt.summaryMessages(
                instructions: persona.instructions,
                personaName: persona.name,
                group: job.request.groupName,
                subject: subject,
                input: input,
                text: text,
                part: part
            )
            let request = LLMChatRequest(
                model: job.model,
                messages: messages,
                contextLength: contextLength,
                keepAlive: settings?.keepAlive,
                temperature: self.configuration.temperature,
                maximumTokens: self.configuration.maximumAnswerTokens,
                maximumBytes: AnswerArticle.textBudget(
                    maximumArticleBytes: maximumArticleBytes,
                    overheadBytes: overhead
                ),
                stopsRepetition: self.configuration.stopsRepetition
            )
            return try await self.generate(request, client: client, requestID: job.request.id)
        }

        let budget = self.configuration.contextCharacters
        var input = Prompt.SummaryInput.articles
        var texts = Prompt.summaryEntries(of: whole)
        var level = 0
        var calls = 0
        let result: LLMChatResult
        while true {
            var chunks = Prompt.summaryChunks(texts, budget: budget)
            if chunks.count > 1, level >= Self.maximumSummaryLevels {
                chunks = [Prompt.shorten(chunks.joined(separator: Prompt.summarySeparator), to: budget)]
            }
            if chunks.count == 1 {
                if level > 0 {
                    try await self.recordSummaryProgress(job, "final summary of \(texts.count) part summaries")
                }
                result = try await call(input, chunks[0], nil)
                calls += 1
                break
            }
            var summaries: [String] = []
            for (index, chunk) in chunks.enumerated() {
                let what = level == 0 ? "summarising part" : "combining part summaries, group"
                try await self.recordSummaryProgress(
                    job,
                    "level \(level + 1): \(what) \(index + 1) of \(chunks.count)"
                )
                let part = try await call(input, chunk, (index + 1, chunks.count))
                calls += 1
                summaries.append(
                    Prompt.partSummaryEntry(AnswerArticle.cleaned(part.text), number: index + 1, count: chunks.count)
                )
            }
            texts = summaries
            input = .partSummaries
            level += 1
        }
        await self.catalog.record(backend: job.backend, reachable: true)

        let answer = try build(result, self.now())
        let stored = try await self.forum.complete(
            requestID: job.request.id,
            answer: answer.article,
            personaID: persona.id,
            personaVersion: persona.version,
            notes: answer.notes
        )
        if stored == nil { throw Self.cancelledWhileGenerating }
        logger.info(
            "Summary posted",
            metadata: [
                "worker.persona": "\(persona.handle)", "worker.articles": "\(whole.count)",
                "worker.calls": "\(calls)", "worker.levels": "\(level)", "worker.chars": "\(result.text.count)"
            ]
        )
    }

    private func recordSummaryProgress(_ job: ClaimedJob, _ note: String) async throws {
        try await self.database.recordTaskProgress(requestID: job.request.id, note, now: self.now())
    }
}
