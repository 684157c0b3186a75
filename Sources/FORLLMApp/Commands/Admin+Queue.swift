import FORLLMStore
import FORLLMWorker
import Foundation
import NewsArticle

extension Admin {
    struct RequestJSON: Encodable {
        var id: Int64
        var kind: String
        var status: String
        @Nullable var persona: String?
        @Nullable var personaVersion: Int?
        @Nullable var model: String?
        @Nullable var backend: String?
        var group: String
        @Nullable var messageId: String?
        @Nullable var answerMessageId: String?
        /// Why the answer is incomplete (its `X-FORLLM-Truncated` value).
        @Nullable var truncated: String?
        /// What was removed from the model's text.
        @Nullable var cleaned: String?
        /// What the generation cost (the answer's `X-FORLLM-Usage`).
        @Nullable var usage: GenerationUsage?
        /// Where a pending request that may run now stands in the queue's order (1: next).
        @Nullable var position: Int?
        /// What a pending or running request waits for (``QueueStanding``): `running`,
        /// `backend`, `retry`, `schedule` or `queued`.
        @Nullable var state: String?
        /// Why, for a person: `waiting for the schedule: closed until 22:00; position 3 of 7`.
        @Nullable var reason: String?
        var attempts: Int
        @Nullable var error: String?
        var progressChars: Int
        var turn: Int
        /// `answer` or `summary`.
        var task: String
        /// How far a summary in chunks has got (`level 1: summarising part 2 of 5`).
        @Nullable var taskProgress: String?
        /// The done request whose answer this one regenerates.
        @Nullable var regenerates: Int64?
        /// `forllm queue show` only: whether the answer of a done request is still on the server
        /// (it may have been withdrawn or superseded since), and the requests regenerating it.
        @Nullable var answerOnServer: Bool?
        @Nullable var regeneratedBy: [Int64]?
        var createdAt: Date
        var updatedAt: Date
        @Nullable var startedAt: Date?
        @Nullable var finishedAt: Date?
        @Nullable var notBefore: Date?
    }

    func requestJSON(_ request: ReplyRequest) -> RequestJSON {
        RequestJSON(
            id: request.id,
            kind: request.kind.rawValue,
            status: request.status.rawValue,
            persona: request.personaHandle,
            personaVersion: request.personaVersion,
            model: request.model ?? (request.kind == .answer ? self.configuration.worker.defaultModel : nil),
            backend: request.backend,
            group: request.groupName,
            messageId: request.messageID,
            answerMessageId: request.status == .done ? request.answerMessageID : nil,
            truncated: request.answerNotes.truncated,
            cleaned: request.answerNotes.cleaned,
            usage: request.answerNotes.usage,
            position: nil,
            state: nil,
            reason: nil,
            attempts: request.attempts,
            error: request.error,
            progressChars: request.progressChars,
            turn: request.turn,
            task: request.task.rawValue,
            taskProgress: request.taskProgress,
            regenerates: request.regenerates,
            answerOnServer: nil,
            regeneratedBy: nil,
            createdAt: request.createdAt,
            updatedAt: request.updatedAt,
            startedAt: request.startedAt,
            finishedAt: request.finishedAt,
            notBefore: request.status == .pending ? request.notBefore : nil
        )
    }

    /// `forllm queue list`: a pending or running request says why it waits or how far it is
    /// (``QueueStanding``) instead of its last error, which belongs to an earlier try.
    public func listQueue(status: RequestStatusArgument?, json: Bool) async throws -> String {
        let requests = try await self.database.requests(status: status?.status)
        let now = self.now
        let standings = try await self.database.standings(
            configuration: self.configuration.workerConfiguration,
            now: now
        ).standings
        let calendar = self.configuration.workerConfiguration.calendar
        let items = requests.map { request in
            var item = self.requestJSON(request)
            if let standing = standings[request.id] {
                item.position = standing.position
                item.state = standing.stateName
                item.reason = standing.reason(calendar: calendar, now: now)
            }
            return item
        }
        if json { return try JSONOutput.encode(items) }
        if requests.isEmpty {
            return status.map { "no \($0.rawValue) requests" } ?? "the queue is empty"
        }
        return TextTable.render(
            header: ["ID", "STATUS", "POS", "PERSONA", "MODEL", "BACKEND", "GROUP", "TRIES", "CHARS", "REASON/ERROR"],
            rows: zip(requests, items).map { request, item in
                [
                    String(item.id), item.status, item.position.map(String.init) ?? "-",
                    item.persona ?? (request.kind == .generatePersonas ? "(generate)" : "-"),
                    item.model ?? "-", item.backend ?? "(auto)", item.group, String(item.attempts),
                    String(item.progressChars), Self.oneLine(Self.reasonColumn(item), limit: 110)
                ]
            }
        )
    }

    /// The last column of `queue list`: why a request waits (with its last error when that is
    /// why), else its error.
    static func reasonColumn(_ item: RequestJSON) -> String {
        guard let reason = item.reason else { return item.error ?? "" }
        switch item.state {
        case "backend", "retry": return reason + (item.error.map { " (\($0))" } ?? "")
        default: return reason
        }
    }

    /// `forllm queue show`
    public func showRequest(id: Int64, json: Bool) async throws -> String {
        let request = try await self.database.request(id: id)
        var item = self.requestJSON(request)
        try await self.addAnswerAudit(to: &item, of: request)
        let now = self.now
        if let standing = try await self.database.standings(
            configuration: self.configuration.workerConfiguration,
            now: now
        ).standings[id] {
            item.position = standing.position
            item.state = standing.stateName
            item.reason = standing.reason(calendar: self.configuration.workerConfiguration.calendar, now: now)
        }
        if json { return try JSONOutput.encode(item) }
        let format = ISO8601DateFormatter()
        format.timeZone = .current
        var lines = [
            "request:   \(item.id) (\(item.kind))",
            "status:    \(item.status)",
            "persona:   \(item.persona ?? "-")\(item.personaVersion.map { " (version \($0))" } ?? "")",
            "model:     \(item.model ?? "-")",
            "backend:   \(item.backend ?? "(chosen when it runs)")",
            "group:     \(item.group)",
            "article:   \(item.messageId ?? "-")",
            "attempts:  \(item.attempts) of \(self.configuration.worker.maximumAttempts)",
            "progress:  \(item.progressChars) characters",
            "created:   \(format.string(from: item.createdAt))"
        ]
        lines += Self.regenerationLines(item)
        if let truncated = item.truncated { lines.append("cut:       \(truncated)") }
        if let cleaned = item.cleaned { lines.append("cleaned:   \(cleaned)") }
        if let usage = item.usage { lines.append("usage:     \(Self.describe(usage))") }
        if let reason = item.reason { lines.append("now:       \(reason)") }
        if let next = item.notBefore { lines.append("next try:  \(format.string(from: next))") }
        if let error = item.error {
            lines.append((request.status == .running ? "last try:  " : "error:     ") + error)
        }
        if request.status == .failed || request.status == .cancelled {
            lines.append("retry with: forllm queue retry \(id)")
        } else if request.status == .done, request.kind == .answer {
            lines.append("a new answer beside it: forllm queue retry \(id)")
        }
        return lines.joined(separator: "\n")
    }

    /// `forllm queue retry`
    public func retryRequest(id: Int64) async throws -> String {
        if try await self.database.request(id: id).status == .done {
            return try await self.regenerateRequest(id: id)
        }
        let request = try await self.database.retryRequest(id: id, now: self.now)
        return "request \(request.id) is pending again"
    }

    /// `forllm queue cancel`
    public func cancelRequest(id: Int64) async throws -> String {
        let request = try await self.database.cancelRequest(id: id, now: self.now)
        return "request \(request.id) cancelled"
    }

    static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }

    /// `prompt 1834 tokens (1610 from the cache), answer 212, first token after 0.41 s, 38.5 tokens/s`.
    static func describe(_ usage: GenerationUsage) -> String {
        var parts: [String] = []
        if let prompt = usage.promptTokens {
            parts.append(
                "prompt \(prompt) tokens" + (usage.cachedPromptTokens.map { " (\($0) from the cache)" } ?? "")
            )
        }
        if let completion = usage.completionTokens { parts.append("answer \(completion)") }
        if let first = usage.firstTokenMilliseconds {
            parts.append("first token after " + String(format: "%.2f s", Double(first) / 1000))
        }
        if let rate = usage.tokensPerSecond { parts.append(String(format: "%.1f tokens/s", rate)) }
        if let total = usage.totalMilliseconds { parts.append(String(format: "%.1f s in all", Double(total) / 1000)) }
        return parts.joined(separator: ", ")
    }
}
