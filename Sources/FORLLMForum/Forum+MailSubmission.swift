import FORLLMStore
import Foundation
import MailFormat
import NewsArticle

extension Forum {
    /// Posts one mail message, as `forllm sendmail` (and mail submission) receives it, through
    /// the one front door, ``inject(_:origin:)``, with the same validation and request rules
    /// as an NNTP `POST`.
    ///
    /// Routing:
    /// * `GROUP@HOSTNAME` recipients and the message's own `Newsgroups` header name the groups
    ///   (header groups first, then recipient groups not among them); `Newsgroups` is set to
    ///   that list.
    /// * A `HANDLE@personas.HOSTNAME` recipient asks that persona: the handle is added to
    ///   `X-FORLLM-Request` (a header naming personas keeps them and gains the handle; a
    ///   `default` or `none` header gives way to the persona addressed, model and backend
    ///   stay), so the request rules of NNTP `POST` decide what is queued. Without any group,
    ///   the persona answers in the groups of the article replied to: the last `References`
    ///   entry (after `In-Reply-To` is folded in), looked up in the store; a mail with no such
    ///   reference, or replying to an article not stored here, is refused.
    /// * Any other address is refused, and nothing is stored (all recipients or none).
    ///
    /// The mail becomes an article by ``MailConversion`` (envelope headers dropped,
    /// `In-Reply-To` folded into `References`, everything else kept); a message without
    /// `From` gets `envelopeSender` (sendmail's `-f`) as its author when given. A missing
    /// `Message-ID` is made by the forum.
    ///
    /// - Parameter check: what the entry point checks beyond the forum's rules before the
    ///   article is stored (the server: that a model or backend the request names exists, as
    ///   for NNTP `POST`); a reason refuses the message as `.invalidArticle`.
    /// - Throws: ``MailSubmissionError`` only: `.invalidArticle`, `.unknownAddress`,
    ///   `.noRecipients`, or `.unavailable` when the store failed.
    public func submitMail(
        _ message: some Collection<UInt8>,
        recipients: [String],
        envelopeSender: String? = nil,
        check: (@Sendable (Article) async -> String?)? = nil
    ) async throws -> InjectedArticle {
        do {
            return try await self.submitMailUnclassified(
                message,
                recipients: recipients,
                envelopeSender: envelopeSender,
                check: check
            )
        } catch {
            throw Self.classify(error)
        }
    }

    /// Where mail to `recipient` goes: a group or a persona of this forum, both existing
    /// (what SMTP's RCPT asks before the message is sent).
    /// - Throws: ``MailSubmissionError`` `.unknownAddress` naming the address, or
    ///   `.unavailable` when the store failed.
    public func mailRecipient(_ recipient: String) async throws -> MailRoute {
        do {
            return try await self.mailRecipientUnclassified(recipient)
        } catch {
            throw Self.classify(error)
        }
    }

    private func mailRecipientUnclassified(_ recipient: String) async throws -> MailRoute {
        let hostname = self.configuration.hostname
        guard let route = MailRoute(recipient: recipient, hostname: hostname) else {
            throw MailSubmissionError(.unknownAddress, "'\(recipient.prefix(80))' is not a mail address")
        }
        switch route {
        case .group(let name):
            guard try await self.database.group(named: name) != nil else {
                if name == self.systemMailbox.address.lowercased().prefix(while: { $0 != "@" }) {
                    // What a mail client's reply to a notice or a persona card is addressed to.
                    throw MailSubmissionError(
                        .unknownAddress,
                        "\(Self.address(recipient)) is FORLLM's own address (notices, persona cards) "
                            + "and takes no mail: reply to the group (GROUP@\(hostname), a list-reply) "
                            + "or ask a persona at HANDLE@personas.\(hostname)"
                    )
                }
                throw MailSubmissionError(
                    .unknownAddress,
                    "\(Self.address(recipient)): no group named \(name) on \(hostname)"
                )
            }
        case .persona(let handle):
            guard let persona = try await self.database.persona(named: handle), persona.handle == handle else {
                throw MailSubmissionError(
                    .unknownAddress,
                    "\(Self.address(recipient)): no persona with handle \(handle)"
                )
            }
        case .unknown:
            throw MailSubmissionError(
                .unknownAddress,
                "\(Self.address(recipient)): not an address of this forum "
                    + "(post to GROUP@\(hostname), ask a persona at HANDLE@personas.\(hostname))"
            )
        }
        return route
    }

    /// ``submitMail(_:recipients:envelopeSender:)`` before its errors are sorted.
    private func submitMailUnclassified(
        _ message: some Collection<UInt8>,
        recipients: [String],
        envelopeSender: String?,
        check: (@Sendable (Article) async -> String?)?
    ) async throws -> InjectedArticle {
        let hostname = self.configuration.hostname
        var article = try MailConversion.article(fromMail: message)
        if article["From"] == nil, let envelopeSender, let sender = try? Mailbox(parsing: envelopeSender) {
            article.append(try HeaderField(name: "From", value: sender.headerValue))
        }

        // Every recipient must lead somewhere before anything is stored.
        var recipientGroups: [String] = []
        var handles: [String] = []
        for recipient in recipients {
            switch try await self.mailRecipient(recipient) {
            case .group(let name):
                if !recipientGroups.contains(name) { recipientGroups.append(name) }
            case .persona(let handle):
                if !handles.contains(handle) { handles.append(handle) }
            case .unknown:
                preconditionFailure("mailRecipient(_:) never returns .unknown")
            }
        }

        // The groups: the header's, then the recipients'; else, for a persona, the thread's.
        let headerGroups = article["Newsgroups"].flatMap { try? NewsgroupName.parseList($0) } ?? []
        var groups = headerGroups
        for name in recipientGroups where !groups.contains(name) { groups.append(name) }
        if groups.isEmpty, let handle = handles.first {
            groups = try await self.groupsOfRepliedArticle(article, askedHandle: handle)
        }
        if groups.isEmpty {
            if article["Newsgroups"] != nil {
                // Let validation say what is wrong with it.
                return try await self.inject(article, origin: .user)
            }
            throw MailSubmissionError(
                .noRecipients,
                "no recipients: give GROUP@\(hostname) or HANDLE@personas.\(hostname), "
                    + "or a Newsgroups header"
            )
        }
        if groups != headerGroups {
            article.replace(with: try HeaderField(name: "Newsgroups", value: groups.joined(separator: ",")))
        }
        if !handles.isEmpty {
            article.replace(
                with: try HeaderField(
                    name: ForumRequest.headerName,
                    value: try Self.request(
                        asking: handles,
                        existing: article[ForumRequest.headerName]
                    ).headerValue
                )
            )
        }
        if let check, let reason = await check(article) {
            throw MailSubmissionError(.invalidArticle, reason)
        }
        return try await self.inject(article, origin: .user)
    }

    /// The groups a follow-up to the article `article` replies to goes to (its `Followup-To`,
    /// else its `Newsgroups`, as for a persona's answer).
    private func groupsOfRepliedArticle(_ article: Article, askedHandle handle: String) async throws -> [String] {
        let hostname = self.configuration.hostname
        guard let parent = Threading.parseReferences(article["References"] ?? "").last else {
            throw MailSubmissionError(
                .invalidArticle,
                "\(handle)@personas.\(hostname) answers in a thread: send a reply to an article of the forum "
                    + "(this mail has no In-Reply-To or References), or add GROUP@\(hostname) as a recipient"
            )
        }
        guard let stored = try await self.database.article(messageID: parent.value) else {
            throw MailSubmissionError(
                .invalidArticle,
                "\(handle)@personas.\(hostname): the article replied to, \(parent.value), is not on this server"
            )
        }
        let groups = (try? Article(parsing: stored.bytes))?.followupGroups ?? []
        return groups.isEmpty ? stored.numbers.map(\.group) : groups
    }

    /// The `X-FORLLM-Request` of a mail to personas `handles`, given the header it had.
    private static func request(asking handles: [String], existing: String?) throws -> ForumRequest {
        guard let existing else { return ForumRequest(who: .personas(handles)) }
        var request = try ForumRequest(parsing: existing)
        // A reply to an answer asking for it again: the persona of that answer regenerates it.
        if request.who == .regenerate { return request }
        if case .personas(let names) = request.who {
            let known = Set(names.map { $0.lowercased() })
            request.who = .personas(names + handles.filter { !known.contains($0) })
        } else {
            request.who = .personas(handles)
        }
        return request
    }

    /// The address in a recipient as given (`Name <a@b>` → `a@b`), for messages.
    private static func address(_ recipient: String) -> String {
        (try? Mailbox(parsing: recipient))?.address ?? String(recipient.prefix(80))
    }

    /// Sorts an error of submission into the classes sendmail reports: the article's form and
    /// the forum's rules are the sender's to fix; anything else is the store's trouble.
    static func classify(_ error: any Error) -> MailSubmissionError {
        switch error {
        case let error as MailSubmissionError:
            return error
        case let error as ArticleError:
            return MailSubmissionError(.invalidArticle, "not a valid article: \(error.message)")
        case let error as ForumError:
            return MailSubmissionError(.invalidArticle, error.message)
        case let error as StoreError where error.code == .cannotOpen || error.code == .unreadableValue:
            return MailSubmissionError(.unavailable, error.message)
        case let error as StoreError:
            return MailSubmissionError(.invalidArticle, error.message)
        default:
            return MailSubmissionError(.unavailable, "the forum's store is unavailable: \(error)")
        }
    }
}
