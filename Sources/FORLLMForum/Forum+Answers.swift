import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// Stores a persona's answer and marks its request done, in one transaction: a crash leaves
    /// either both or neither. An answer already stored under the request's Message-ID
    /// (it cannot be, but a second run must never post twice) just marks it done. `notes` say
    /// what the worker had to do to the answer (cut it, clean it), for `forllm queue show`.
    /// - Returns: the injected answer, or `nil` when the request was no longer running (it was
    ///   cancelled while generating) and nothing was stored.
    @discardableResult
    public func complete(
        requestID: Int64,
        answer: Article,
        personaID: Int64,
        personaVersion: Int,
        notes: AnswerNotes = .init()
    ) async throws -> InjectedArticle? {
        let now = self.now()
        let origin = ArticleOrigin.persona(id: personaID, version: personaVersion, requestID: requestID)
        let prepared = try self.prepare(answer, origin: origin, now: now)
        let injected = try await self.database.write { transaction -> (InjectedArticle, ReplyRequest)? in
            guard try transaction.request(id: requestID).status == .running else { return nil }
            let injected = try self.insertUnlessStored(prepared, origin: origin, now: now, transaction)
            try transaction.markDone(
                requestID: requestID,
                answerMessageID: injected.messageID,
                notes: notes,
                now: now
            )
            return (injected, try transaction.request(id: requestID))
        }
        if injected?.0.requestIDs.isEmpty == false { self.database.queueSignal.notify() }
        if let (answer, request) = injected { self.emitAnswer(request, answer, prepared, now: now) }
        return injected?.0
    }
}
