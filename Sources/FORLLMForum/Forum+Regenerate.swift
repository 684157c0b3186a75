import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// Asks the persona of done request `requestID` for a new answer to the same article, posted
    /// beside the old one (`forllm queue retry N` on a done request). The new answer comes from a
    /// new request linked to the old one (``ReplyRequest/regenerates``), with a new answer
    /// Message-ID; the old request and its answer stay as they are, so the history stays auditable.
    /// - Returns: the new request.
    public func regenerate(requestID: Int64) async throws -> ReplyRequest {
        let now = self.now()
        let request = try await self.database.write { transaction in
            let original = try transaction.request(id: requestID)
            let id = try self.queueRegeneration(of: original, model: nil, backend: nil, now: now, transaction)
            return try transaction.request(id: id)
        }
        self.database.queueSignal.notify()
        return request
    }

    /// Queues the regeneration an article with `X-FORLLM-Request: regenerate` asks for: a new
    /// answer from the persona whose answer the article follows up, to the article that answer
    /// replied to (so the new answer appears beside the old). `model=` and `backend=` of the
    /// header replace the old request's. Throws ``ArticleError`` `.invalidRequest` (441) when
    /// the article follows up no persona's answer.
    func queueRegeneration(
        following prepared: PreparedArticle,
        request: ForumRequest,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> [Int64] {
        let header = "\(ForumRequest.headerName): regenerate"
        guard let parent = prepared.facts.references.last else {
            throw ArticleError(
                .invalidRequest,
                "\(header) asks for a new answer beside a persona's answer: post it as a follow-up to that answer"
            )
        }
        guard let requestID = try transaction.answerRequestID(ofArticle: parent.value) else {
            let parentFacts = try transaction.articleAuthorship(messageID: parent.value)
            let what =
                !parentFacts.stored
                ? "\(parent.value) is not on the server"
                : "\(parent.value) is not a persona's answer"
            throw ArticleError(
                .invalidRequest,
                "\(header): \(what); regenerate follows up the persona's answer to be replaced by a new one"
            )
        }
        let original = try transaction.request(id: requestID)
        do {
            return [
                try self.queueRegeneration(
                    of: original,
                    model: request.model,
                    backend: request.backend,
                    now: now,
                    transaction
                )
            ]
        } catch let error as ForumError {
            throw ArticleError(.invalidRequest, "\(header): \(error.message)")
        }
    }

    /// Inserts the request for a new answer beside done request `original`'s answer: same
    /// article, persona, task and (unless given) model and backend; asked by a person (turn 0,
    /// no mention chain to continue); its own answer Message-ID.
    func queueRegeneration(
        of original: ReplyRequest,
        model: String?,
        backend: String?,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> Int64 {
        guard original.kind == .answer else {
            throw ForumError(.conflict, "request \(original.id) generated personas; only answers can be regenerated")
        }
        guard original.status == .done else {
            throw ForumError(
                .conflict,
                "request \(original.id) is \(original.status.rawValue); only a done request gets a new answer"
            )
        }
        guard let articleID = original.articleID,
            let messageID = original.messageID.flatMap(MessageID.init(validating:))
        else {
            throw ForumError(.conflict, "request \(original.id) cannot be regenerated: its article was removed")
        }
        guard let personaID = original.personaID, let persona = try transaction.activePersona(id: personaID) else {
            let handle = original.personaHandle.map { "@\($0)" } ?? "its persona"
            throw ForumError(.conflict, "request \(original.id) cannot be regenerated: \(handle) was deleted")
        }
        let id = try transaction.insertAnswerRequest(
            NewAnswerRequest(
                articleID: articleID,
                messageID: messageID,
                groupName: original.groupName,
                personaID: persona.id,
                requestedModel: model ?? original.requestedModel,
                requestedBackend: backend ?? original.requestedBackend,
                chain: [],
                turn: 0,
                task: original.task,
                regenerates: original.id
            ),
            now: now
        )
        try transaction.setAnswerMessageID(self.answerMessageID(ofRequest: id, handle: persona.handle), ofRequest: id)
        return id
    }

    /// The Message-ID the answer to request `id` gets. Fixed once per request, when it is
    /// queued, so a request that runs twice cannot post two answers; the random part keeps it
    /// unique beyond this database (a fresh database, or another installation with the default
    /// hostname, counts request ids from 1 again).
    func answerMessageID(ofRequest id: Int64, handle: String) -> MessageID {
        MessageID.derived(
            from: "\(id).\(handle).answer.\(String(UInt64.random(in: .min ... .max), radix: 36))",
            domain: self.configuration.hostname
        )
    }
}
