import FORLLMStore
import Foundation
import NewsArticle

// The events of ``ForumEvent``, made once their transaction has committed.
extension Forum {
    func emitPosted(_ prepared: PreparedArticle, _ injected: InjectedArticle, now: Date) {
        // A control message or a persona card is applied, not stored in a group.
        guard !injected.numbers.isEmpty else { return }
        self.events.emit(
            ForumEvent(
                event: .posted,
                groups: prepared.facts.newsgroups,
                messageId: injected.messageID.value,
                inReplyTo: prepared.facts.references.last?.value,
                subject: prepared.article["Subject"].map(EncodedWord.decode),
                from: prepared.article["From"].map(EncodedWord.decode),
                requestIds: injected.requestIDs,
                date: now
            )
        )
    }

    func emitAnswer(_ request: ReplyRequest, _ answer: InjectedArticle, _ prepared: PreparedArticle, now: Date) {
        self.events.emit(
            ForumEvent(
                event: .answer,
                requestId: request.id,
                persona: request.personaHandle,
                model: request.model,
                backend: request.backend,
                groups: prepared.facts.newsgroups,
                messageId: answer.messageID.value,
                inReplyTo: request.messageID,
                subject: prepared.article["Subject"].map(EncodedWord.decode),
                requestIds: answer.requestIDs,
                date: now
            )
        )
    }

    func emitFailed(_ request: ReplyRequest, _ failure: RequestFailure, notice: InjectedArticle?, now: Date) {
        self.events.emit(
            ForumEvent(
                event: .failed,
                requestId: request.id,
                persona: request.personaHandle,
                model: failure.model,
                backend: failure.backend,
                groups: [request.groupName],
                messageId: notice?.messageID.value,
                inReplyTo: request.messageID,
                error: failure.reason,
                date: now
            )
        )
    }
}
