import LineServer
import NNTPCore

/// What a session needs to know about the server it belongs to.
public struct NNTPSessionConfiguration: Hashable, Sendable {
    /// The host name in the greeting.
    public var hostname: String
    /// The `IMPLEMENTATION` capability, e.g. `FORLLM 0.1.0`.
    public var implementation: String
    /// Whether clients may post (`200` greeting, `POST` capability) or not (`201`, `440`).
    public var postingAllowed: Bool
    /// Whether reading and posting wait for `AUTHINFO USER`/`PASS` (RFC 4643).
    public var authenticationRequired: Bool
    /// The largest article `POST` accepts, in octets (unstuffed, CRLF lines).
    public var maximumArticleBytes: Int
    /// TLS on this port: from the first byte (NNTPS), on `STARTTLS`, or `nil`: none.
    public var tls: LineTLS.Mode?

    /// Creates a configuration.
    public init(
        hostname: String = "localhost",
        implementation: String = "FORLLM",
        postingAllowed: Bool = true,
        authenticationRequired: Bool = false,
        maximumArticleBytes: Int = NNTPDefaults.maximumArticleBytes,
        tls: LineTLS.Mode? = nil
    ) {
        self.hostname = hostname
        self.implementation = implementation
        self.postingAllowed = postingAllowed
        self.authenticationRequired = authenticationRequired
        self.maximumArticleBytes = maximumArticleBytes
        self.tls = tls
    }
}

/// The per-connection state that commands read and change: the selected group, the current
/// article and what the client has said so far.
public struct NNTPSessionContext: Hashable, Sendable {
    /// The group selected by `GROUP` or `LISTGROUP`.
    public var selectedGroup: String?
    /// The current article number in ``selectedGroup``; `nil` when it is invalid (empty group).
    public var currentArticle: Int64?
    /// Whether `AUTHINFO` succeeded.
    public var isAuthenticated: Bool
    /// The user `AUTHINFO` logged in as; what the backend posts for (``NNTPBackend/post(_:user:)``).
    public var user: String?
    /// Whether the client sent `CAPABILITIES`: then `LIST OVERVIEW.FMT` answers in RFC 3977
    /// form (`:bytes`, `:lines`), otherwise in the RFC 2980 form older readers expect.
    public var sentCapabilities: Bool
    /// Whether the connection runs over TLS (NNTPS, or after `STARTTLS`).
    public var isTLSActive: Bool

    /// Creates a context; a new session starts with the defaults.
    public init(
        selectedGroup: String? = nil,
        currentArticle: Int64? = nil,
        isAuthenticated: Bool = false,
        sentCapabilities: Bool = false,
        isTLSActive: Bool = false
    ) {
        self.selectedGroup = selectedGroup
        self.currentArticle = currentArticle
        self.isAuthenticated = isAuthenticated
        self.sentCapabilities = sentCapabilities
        self.isTLSActive = isTLSActive
    }
}
