import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// Stores a persona's answer and marks its request done, in one transaction: a crash leaves
    /// either both or neither. An answer already stored under the request's Message-ID
    /// (it cannot be, but a second run must never post twice) just marks it done.
    /// - Returns: the injected answer, or `nil` when the request was no longer running (it was
    ///   cancelled while generating) and nothing was stored.
    @discardableResult
    public func complete(
        requestID: Int64,
        answer: Article,
        personaID: Int64,
        personaVersion: Int
    ) async throws -> InjectedArticle? {
        let now = self.now()
        let origin = ArticleOrigin.persona(id: personaID, version: personaVersion, requestID: requestID)
        let prepared = try self.prepare(answer, origin: origin, now: now)
        let injected = try await self.database.write { transaction -> InjectedArticle? in
            guard try transaction.request(id: requestID).status == .running else { return nil }
            let injected: InjectedArticle
            if let id = prepared.facts.messageID, try transaction.articleExists(messageID: id.value) {
                injected = InjectedArticle(messageID: id, numbers: [], requestIDs: [])
            } else {
                injected = try self.insert(prepared, origin: origin, now: now, transaction)
            }
            try transaction.markDone(requestID: requestID, answerMessageID: injected.messageID, now: now)
            return injected
        }
        if injected?.requestIDs.isEmpty == false { self.database.queueSignal.notify() }
        return injected
    }

    /// Marks the request failed for good and posts `notice` (an article from FORLLM saying so)
    /// into the thread, in one transaction. `notice` may be `nil` (no thread to tell).
    public func fail(requestID: Int64, error: String, notice: Article?) async throws {
        let now = self.now()
        let prepared = try notice.map { try self.prepare($0, origin: .system, now: now) }
        try await self.database.write { transaction in
            guard try transaction.markFailed(requestID: requestID, error: error, now: now), let prepared else {
                return
            }
            if let id = prepared.facts.messageID, try transaction.articleExists(messageID: id.value) {
                return
            }
            _ = try self.insert(prepared, origin: .system, now: now, transaction)
        }
    }
}
