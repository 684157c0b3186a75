import Foundation
import GRDB

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
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var updatedAt: Date
}

extension ReplyRequest: FetchableRecord {
    public init(row: Row) throws {
        self.id = row["id"]
        self.kind = try RequestKind(stored: row["kind"], column: "request.kind")
        self.status = try RequestStatus(stored: row["status"], column: "request.status")
        self.articleID = row["article_id"]
        self.messageID = row["message_id"]
        self.groupName = row["group_name"]
        self.personaID = row["persona_id"]
        self.personaHandle = row["persona_handle"]
        self.personaVersion = row["persona_version"]
        self.requestedModel = row["requested_model"]
        self.requestedBackend = row["requested_backend"]
        self.model = row["model"]
        self.backend = row["backend"]
        let chain: String = row["chain"]
        self.chain = chain.split(separator: " ").map(String.init)
        self.turn = row["turn"]
        self.params = row["params"]
        self.attempts = row["attempts"]
        self.notBefore = (row["not_before"] as Double?).map { Date(timeIntervalSince1970: $0) }
        self.error = row["error"]
        self.waitingSince = (row["waiting_since"] as Double?).map { Date(timeIntervalSince1970: $0) }
        self.progressChars = row["progress_chars"]
        self.answerMessageID = row["answer_message_id"]
        self.createdAt = Date(timeIntervalSince1970: row["created_at"])
        self.startedAt = (row["started_at"] as Double?).map { Date(timeIntervalSince1970: $0) }
        self.finishedAt = (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) }
        self.updatedAt = Date(timeIntervalSince1970: row["updated_at"])
    }

    static let selectSQL = """
        SELECT r.*, p.handle AS persona_handle
        FROM request r LEFT JOIN persona p ON p.id = r.persona_id
        """
}
