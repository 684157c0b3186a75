import FORLLMForum
import FORLLMStore
import Foundation
import NewsArticle

extension Admin {
    /// `forllm post`: builds an article from the options and `text`, and injects it through the
    /// same validation as an NNTP POST.
    public func post(
        groups: [String],
        subject: String,
        from: String?,
        request: String?,
        references: [String],
        text: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> String {
        let author: Mailbox
        if let from {
            author = try Mailbox(parsing: from)
        } else {
            let user = environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "user"
            let local = String(
                user.lowercased().unicodeScalars.filter {
                    $0.isASCII
                        && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-"
                            || $0 == "_")
                }
            )
            author = Mailbox(
                displayName: user,
                address: "\(local.isEmpty ? "user" : local)@\(self.configuration.forum.hostname)"
            )
        }
        var extra: [(name: String, value: String)] = [("User-Agent", FORLLMVersion.userAgent)]
        if let request {
            // Checked here too, so that the error names the option.
            _ = try ForumRequest(parsing: request)
            extra.append((ForumRequest.headerName, request))
        }
        var referenceIDs: [MessageID] = []
        for reference in references {
            referenceIDs.append(try MessageID(reference))
        }
        var parentSubject = subject
        if let parent = referenceIDs.last, subject.isEmpty,
            let stored = try await self.database.article(messageID: parent.value),
            let article = try? Article(parsing: stored.bytes), article["Subject"] != nil
        {
            parentSubject = article.followupSubject
        }
        let draft = ArticleDraft(
            from: author,
            newsgroups: groups,
            subject: parentSubject,
            references: referenceIDs,
            extraHeaders: extra,
            text: text,
            flowed: false
        )
        let article = try draft.build()
        try await self.checkRequest(in: article)
        let injected = try await self.forum.inject(article, origin: .user)
        var lines = [
            "posted \(injected.messageID.value) as "
                + injected.numbers.map { "\($0.group):\($0.number)" }.joined(separator: ", ")
        ]
        if !injected.requestIDs.isEmpty {
            lines.append(
                "queued request\(injected.requestIDs.count == 1 ? "" : "s") "
                    + injected.requestIDs.map(String.init).joined(separator: ", ")
                    + " (see: forllm queue list)"
            )
        }
        return lines.joined(separator: "\n")
    }
}

/// The version and product token.
public enum FORLLMVersion {
    public static let version = "0.1.0"
    public static let userAgent = "FORLLM/\(version)"
}
