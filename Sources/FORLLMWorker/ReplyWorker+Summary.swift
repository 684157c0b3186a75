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
        let context = try await self.answerContext(job, task: .summary, withTurns: false)
        let persona = context.persona
        let whole = try await self.database.wholeThread(ofArticle: context.articleID)
        let root = context.path.first.flatMap { try? Article(parsing: $0.article.bytes) } ?? context.parent
        let subject = root["Subject"].map(EncodedWord.decode) ?? ""
        let build = context.build
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
                contextLength: context.contextLength,
                keepAlive: context.keepAlive,
                temperature: self.configuration.temperature,
                maximumTokens: self.configuration.maximumAnswerTokens,
                maximumBytes: context.maximumTextBytes,
                stopsRepetition: self.configuration.stopsRepetition
            )
            return try await self.generate(request, client: context.client, requestID: job.request.id)
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
