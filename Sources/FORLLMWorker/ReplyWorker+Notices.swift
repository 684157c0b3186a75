import FORLLMStore
import Foundation
import Logging
import NewsArticle

/// FORLLM's notices: when a request fails for good, the request is marked failed and an
/// article from FORLLM says so, in the thread of the article to answer (or, for a persona
/// generation, as a new thread in its group), with the reason and the command to retry.
/// Everything about notices is in this file.
extension ReplyWorker {
    /// Marks the request failed and posts FORLLM's notice into the thread.
    func failForGood(_ job: ClaimedJob, reason: String, attempts: Int) async {
        let logger = self.logger.withMetadata(["worker.request": "\(job.request.id)"])
        logger.error("Request failed for good", metadata: ["worker.error": "\(reason)"])
        let now = self.now()
        var notice: Article?
        if let articleID = job.request.articleID,
            let stored = try? await self.database.thread(ofArticle: articleID).last,
            let parent = try? Article(parsing: stored.article.bytes),
            let parentID = MessageID(validating: stored.article.messageID)
        {
            notice = try? Self.answerFailedNotice(
                parent: parent,
                parentID: parentID,
                groups: (try? await self.replyGroups(parent: parent, fallback: job.request.groupName)) ?? [job.request.groupName],
                requestID: job.request.id,
                personaName: job.persona?.name ?? "The persona",
                handle: job.persona?.handle ?? job.request.personaHandle ?? "?",
                model: job.model,
                backend: job.backend,
                reason: reason,
                attempts: attempts,
                hostname: self.configuration.hostname,
                userAgent: self.configuration.userAgent,
                now: now
            )
        }
        if job.request.kind == .generatePersonas {
            notice = try? Self.generationFailedNotice(
                group: job.request.groupName,
                requestID: job.request.id,
                model: job.model,
                backend: job.backend,
                reason: reason,
                attempts: attempts,
                hostname: self.configuration.hostname,
                userAgent: self.configuration.userAgent,
                now: now
            )
        }
        do {
            try await self.database.fail(requestID: job.request.id, error: reason, notice: notice, now: now)
        } catch {
            logger.error("Could not record a failed request", metadata: ["worker.error": "\(error)"])
        }
    }

    /// FORLLM's notice that a persona could not answer.
    static func answerFailedNotice(
        parent: Article,
        parentID: MessageID,
        groups: [String],
        requestID: Int64,
        personaName: String,
        handle: String,
        model: String,
        backend: String,
        reason: String,
        attempts: Int,
        hostname: String,
        userAgent: String,
        now: Date
    ) throws -> Article {
        let text = """
            \(personaName) (@\(handle)) could not answer this article.

            Model:    \(model) on backend \(backend)
            Attempts: \(attempts)
            Reason:   \(reason)

            To try again once the problem is fixed: forllm queue retry \(requestID)
            """
        return try ArticleDraft(
            from: Mailbox(displayName: "FORLLM", address: "forllm@\(hostname)"),
            newsgroups: groups,
            subject: AnswerArticle.subject(of: parent),
            references: AnswerArticle.references(of: parent, parentID: parentID),
            messageID: MessageID.derived(from: "\(requestID).failed.\(Int(now.timeIntervalSince1970))", domain: hostname),
            date: now,
            extraHeaders: [
                ("X-FORLLM-Error", "request \(requestID)"),
                ("User-Agent", userAgent),
            ],
            text: text,
            flowed: false
        ).build()
    }

    /// FORLLM's notice that a persona generation request failed, as a new thread in its group.
    static func generationFailedNotice(
        group: String,
        requestID: Int64,
        model: String,
        backend: String,
        reason: String,
        attempts: Int,
        hostname: String,
        userAgent: String,
        now: Date
    ) throws -> Article {
        let text = """
            Generating personas for \(group) failed.

            Model:    \(model) on backend \(backend)
            Attempts: \(attempts)
            Reason:   \(reason)

            To try again: forllm queue retry \(requestID)
            """
        return try ArticleDraft(
            from: Mailbox(displayName: "FORLLM", address: "forllm@\(hostname)"),
            newsgroups: [group],
            subject: "Persona generation failed",
            messageID: MessageID.derived(from: "\(requestID).failed.\(Int(now.timeIntervalSince1970))", domain: hostname),
            date: now,
            extraHeaders: [("X-FORLLM-Error", "request \(requestID)"), ("User-Agent", userAgent)],
            text: text,
            flowed: false
        ).build()
    }
}
