import Foundation
import GRDB
import NewsArticle

/// The states of a request: `pending → running → done | failed | cancelled`.
public enum RequestStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case pending
    case running
    case done
    case failed
    case cancelled
}

/// What a request asks for.
public enum RequestKind: String, Hashable, Sendable, Codable {
    /// A persona answers an article.
    case answer
    /// The model proposes personas for a group.
    case generatePersonas = "generate_personas"
}

/// One queued job: persona P answers article A (with model M on backend B).
public struct ReplyRequest: Hashable, Sendable {
    public var id: Int64
    public var kind: RequestKind
    public var status: RequestStatus
    /// The article answered; `nil` for generation jobs or when it was removed.
    public var articleID: Int64?
    /// Message-ID of the article answered.
    public var messageID: String?
    /// The group the request belongs to (the article's first group).
    public var groupName: String
    public var personaID: Int64?
    /// Handle of the persona, for display.
    public var personaHandle: String?
    /// The persona version that wrote the answer (set when the request runs).
    public var personaVersion: Int?
    /// `model=` of `X-FORLLM-Request`.
    public var requestedModel: String?
    /// `backend=` of `X-FORLLM-Request`.
    public var requestedBackend: String?
    /// The model used (resolved when queued, confirmed when run).
    public var model: String?
    /// The backend used (resolved when run).
    public var backend: String?
    /// Handles still to answer after this one (`@a:@b`: b answers a's answer).
    public var chain: [String]
    /// 0 for a request from a person; n for the n-th persona-to-persona turn.
    public var turn: Int
    /// JSON parameters of generation jobs.
    public var params: String
    public var attempts: Int
    /// Earliest time of the next attempt (backoff).
    public var notBefore: Date?
    /// The last error, for a person.
    public var error: String?
    /// Since when the request has been waiting for a backend that cannot be reached; `nil`
    /// when its last try reached its backend.
    public var waitingSince: Date?
    /// Answer characters streamed so far.
    public var progressChars: Int
    /// Message-ID the answer gets: derived from the request, so it can never be posted twice.
    public var answerMessageID: String?
    /// What the worker had to do to the answer (cut it, clean it); empty otherwise.
    public var answerNotes: AnswerNotes
    /// What the persona is asked to do: answer the article, or summarise its thread.
    public var task: ForumTask = .answer
    /// The done request whose answer this one regenerates (a new answer beside the old one).
    public var regenerates: Int64? = nil
    /// How far a summary in chunks has got (`part 2 of 5`); `nil` otherwise.
    public var taskProgress: String? = nil
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var updatedAt: Date
}

extension ReplyRequest: Decodable, FetchableRecord, TableRecord {
    public static let databaseTableName = "request"

    /// The columns of `request`, plus `persona_handle` from the persona joined in
    /// (``selectSQL``). Dates are Unix time (`REAL`), as every table stores them.
    enum CodingKeys: String, CodingKey {
        case id
        case kind
        case status
        case articleID = "article_id"
        case messageID = "message_id"
        case groupName = "group_name"
        case personaID = "persona_id"
        case personaHandle = "persona_handle"
        case personaVersion = "persona_version"
        case requestedModel = "requested_model"
        case requestedBackend = "requested_backend"
        case model
        case backend
        case chain
        case turn
        case params
        case attempts
        case notBefore = "not_before"
        case error
        case waitingSince = "waiting_since"
        case progressChars = "progress_chars"
        case answerMessageID = "answer_message_id"
        case truncated
        case cleaned
        case usagePromptTokens = "usage_prompt_tokens"
        case usageCachedTokens = "usage_cached_tokens"
        case usageCompletionTokens = "usage_completion_tokens"
        case usageFirstTokenMilliseconds = "usage_first_token_ms"
        case usageTotalMilliseconds = "usage_total_ms"
        case usageRate = "usage_rate"
        case task
        case regenerates
        case taskProgress = "task_progress"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case updatedAt = "updated_at"
    }

    /// The columns queries filter on.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let status = Column(CodingKeys.status)
        public static let notBefore = Column(CodingKeys.notBefore)
    }

    public init(from decoder: any Decoder) throws {
        let row = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try row.decode(Int64.self, forKey: .id)
        // A kind or status this version does not know is an error naming it, never a default.
        self.kind = try RequestKind(stored: row.decode(String.self, forKey: .kind), column: "request.kind")
        self.status = try RequestStatus(stored: row.decode(String.self, forKey: .status), column: "request.status")
        self.articleID = try row.decodeIfPresent(Int64.self, forKey: .articleID)
        self.messageID = try row.decodeIfPresent(String.self, forKey: .messageID)
        self.groupName = try row.decode(String.self, forKey: .groupName)
        self.personaID = try row.decodeIfPresent(Int64.self, forKey: .personaID)
        self.personaHandle = try row.decodeIfPresent(String.self, forKey: .personaHandle)
        self.personaVersion = try row.decodeIfPresent(Int.self, forKey: .personaVersion)
        self.requestedModel = try row.decodeIfPresent(String.self, forKey: .requestedModel)
        self.requestedBackend = try row.decodeIfPresent(String.self, forKey: .requestedBackend)
        self.model = try row.decodeIfPresent(String.self, forKey: .model)
        self.backend = try row.decodeIfPresent(String.self, forKey: .backend)
        // Stored as the handles separated by spaces.
        self.chain = try row.decode(String.self, forKey: .chain).split(separator: " ").map(String.init)
        self.turn = try row.decode(Int.self, forKey: .turn)
        self.params = try row.decode(String.self, forKey: .params)
        self.attempts = try row.decode(Int.self, forKey: .attempts)
        self.notBefore = try row.decodeIfPresent(Date.self, forKey: .notBefore)
        self.error = try row.decodeIfPresent(String.self, forKey: .error)
        self.waitingSince = try row.decodeIfPresent(Date.self, forKey: .waitingSince)
        self.progressChars = try row.decode(Int.self, forKey: .progressChars)
        self.answerMessageID = try row.decodeIfPresent(String.self, forKey: .answerMessageID)
        self.answerNotes = AnswerNotes(
            truncated: try row.decodeIfPresent(String.self, forKey: .truncated),
            cleaned: try row.decodeIfPresent(String.self, forKey: .cleaned)
        )
        if let total = try row.decodeIfPresent(Int.self, forKey: .usageTotalMilliseconds) {
            self.answerNotes.usage = GenerationUsage(
                promptTokens: try row.decodeIfPresent(Int.self, forKey: .usagePromptTokens),
                cachedPromptTokens: try row.decodeIfPresent(Int.self, forKey: .usageCachedTokens),
                completionTokens: try row.decodeIfPresent(Int.self, forKey: .usageCompletionTokens),
                firstTokenMilliseconds: try row.decodeIfPresent(Int.self, forKey: .usageFirstTokenMilliseconds),
                totalMilliseconds: total,
                tokensPerSecond: try row.decodeIfPresent(Double.self, forKey: .usageRate)
            )
        }
        if let task = try row.decodeIfPresent(String.self, forKey: .task) {
            self.task = try ForumTask(stored: task, column: "request.task")
        }
        self.regenerates = try row.decodeIfPresent(Int64.self, forKey: .regenerates)
        self.taskProgress = try row.decodeIfPresent(String.self, forKey: .taskProgress)
        self.createdAt = try row.decode(Date.self, forKey: .createdAt)
        self.startedAt = try row.decodeIfPresent(Date.self, forKey: .startedAt)
        self.finishedAt = try row.decodeIfPresent(Date.self, forKey: .finishedAt)
        self.updatedAt = try row.decode(Date.self, forKey: .updatedAt)
    }

    static let selectSQL = """
        SELECT r.*, p.handle AS persona_handle
        FROM request r LEFT JOIN persona p ON p.id = r.persona_id
        """
}
