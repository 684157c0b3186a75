import FORLLMStore
import Foundation
import NewsArticle

/// Why a request failed for good, as the worker saw it: what FORLLM's notice says.
public struct RequestFailure: Hashable, Sendable {
    /// One line for a person.
    public var reason: String
    public var attempts: Int
    public var model: String
    public var backend: String
    /// The `User-Agent` of the notice.
    public var userAgent: String

    public init(reason: String, attempts: Int, model: String, backend: String, userAgent: String) {
        self.reason = reason
        self.attempts = attempts
        self.model = model
        self.backend = backend
        self.userAgent = userAgent
    }
}

extension Forum {
    /// Marks a running request failed for good and tells its readers, in one transaction:
    /// FORLLM's notice goes into the thread of the article the persona could not answer (or,
    /// for a persona generation, starts a thread in its group), with the reason and the command
    /// to retry. Nothing is posted when the request was no longer running (cancelled meanwhile),
    /// and never twice.
    public func fail(requestID: Int64, because failure: RequestFailure) async throws {
        let now = self.now()
        let failed = try await self.database.write { transaction -> (ReplyRequest, InjectedArticle?)? in
            guard try transaction.markFailed(requestID: requestID, error: failure.reason, now: now) else { return nil }
            let request = try transaction.request(id: requestID)
            // A notice that cannot be built (the article to answer is gone) is left out; the
            // request stays failed with its reason, which `forllm queue show` prints.
            let notice: Article?
            switch request.kind {
            case .answer:
                notice = try? self.answerFailedNotice(request, failure, now: now, transaction)
            case .generatePersonas:
                notice = try? self.generationFailedNotice(request, failure, now: now)
            }
            if let notice {
                return (request, try self.insertSystemArticle(notice, now: now, transaction))
            }
            return (request, nil)
        }
        if let (request, notice) = failed { self.emitFailed(request, failure, notice: notice, now: now) }
    }

    /// FORLLM's notice that a persona could not answer, as a follow-up to the article.
    private func answerFailedNotice(
        _ request: ReplyRequest,
        _ failure: RequestFailure,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> Article? {
        guard let articleID = request.articleID, let stored = try transaction.article(id: articleID),
            let parentID = MessageID(validating: stored.messageID)
        else { return nil }
        let parent = try Article(parsing: stored.bytes)
        let persona = try request.personaID.flatMap { try transaction.persona(id: $0) }
        var groups = try parent.followupGroups.filter { try transaction.group(named: $0) != nil }
        if groups.isEmpty { groups = [request.groupName] }
        let name = persona?.name ?? "The persona"
        let handle = persona?.handle ?? request.personaHandle ?? "?"
        return try self.notice(
            request,
            failure,
            headline: "\(name) (@\(handle)) could not answer this article.",
            retry: "To try again once the problem is fixed:",
            newsgroups: groups,
            subject: parent.followupSubject,
            references: parent.followupReferences(messageID: parentID),
            now: now
        )
    }

    /// FORLLM's notice that a persona generation request failed, as a new thread in its group.
    private func generationFailedNotice(
        _ request: ReplyRequest,
        _ failure: RequestFailure,
        now: Date
    ) throws
        -> Article
    {
        try self.notice(
            request,
            failure,
            headline: "Generating personas for \(request.groupName) failed.",
            retry: "To try again:",
            newsgroups: [request.groupName],
            subject: "Persona generation failed",
            references: [],
            now: now
        )
    }

    /// A notice from FORLLM: the headline, what was tried and why it failed, and the command
    /// that tries again. One per failure of a request (a retried request that fails again gets
    /// another Message-ID).
    private func notice(
        _ request: ReplyRequest,
        _ failure: RequestFailure,
        headline: String,
        retry: String,
        newsgroups: [String],
        subject: String,
        references: [MessageID],
        now: Date
    ) throws -> Article {
        let text = """
            \(headline)

            Model:    \(failure.model) on backend \(failure.backend)
            Attempts: \(failure.attempts)
            Reason:   \(failure.reason)

            \(retry) forllm queue retry \(request.id)
            """
        return try ArticleDraft(
            from: self.systemMailbox,
            newsgroups: newsgroups,
            subject: subject,
            references: references,
            messageID: MessageID.derived(
                from: "\(request.id).failed.\(Int(now.timeIntervalSince1970))",
                domain: self.configuration.hostname
            ),
            date: now,
            extraHeaders: [("X-FORLLM-Error", "request \(request.id)"), ("User-Agent", failure.userAgent)],
            text: text,
            flowed: false
        ).build()
    }
}
