import LineServer
import NNTPCore

/// Settings of the NNTP service. The defaults are those of a local single-user server; FORLLM's
/// `server.*` configuration keys take theirs from here.
public struct NNTPServerConfiguration: Hashable, Sendable {
    /// The address to bind, e.g. `127.0.0.1` or `::1`.
    public var host: String
    /// The port to bind; 0 lets the system choose (see `onListening`).
    public var port: Int
    /// The host name in the greeting.
    public var hostname: String
    /// Connections served at once. One more is accepted, told
    /// `400 too many connections, try again later`, and closed.
    public var maximumConnections: Int
    /// A connection that neither reads nor writes for this long gets `400` and is closed.
    public var idleTimeout: Duration
    /// The largest article `POST` accepts, in octets.
    public var maximumArticleBytes: Int
    /// Whether `POST` is allowed (`200` greeting) or not (`201`, `440`).
    public var postingAllowed: Bool
    /// Whether reading and posting wait for `AUTHINFO USER`/`PASS` (RFC 4643).
    public var authenticationRequired: Bool
    /// The `IMPLEMENTATION` capability, e.g. `FORLLM 0.1.0`.
    public var implementation: String
    /// The longest line the framing layer buffers (commands are further limited to 512 octets).
    public var maximumLineLength: Int

    /// Creates a configuration. What a session needs defaults as in ``NNTPSessionConfiguration``.
    public init(
        host: String = "127.0.0.1",
        port: Int = 1119,
        hostname: String = NNTPSessionConfiguration().hostname,
        maximumConnections: Int = 1000,
        idleTimeout: Duration = .seconds(600),
        maximumArticleBytes: Int = NNTPSessionConfiguration().maximumArticleBytes,
        postingAllowed: Bool = NNTPSessionConfiguration().postingAllowed,
        authenticationRequired: Bool = NNTPSessionConfiguration().authenticationRequired,
        implementation: String = NNTPSessionConfiguration().implementation,
        maximumLineLength: Int = NNTPDefaults.lineLengthLimit
    ) {
        self.host = host
        self.port = port
        self.hostname = hostname
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.maximumArticleBytes = maximumArticleBytes
        self.postingAllowed = postingAllowed
        self.authenticationRequired = authenticationRequired
        self.implementation = implementation
        self.maximumLineLength = maximumLineLength
    }

    /// The part of the configuration each session needs.
    public var sessionConfiguration: NNTPSessionConfiguration {
        NNTPSessionConfiguration(
            hostname: self.hostname,
            implementation: self.implementation,
            postingAllowed: self.postingAllowed,
            authenticationRequired: self.authenticationRequired,
            maximumArticleBytes: self.maximumArticleBytes
        )
    }

    /// What the listening service needs.
    var listenerConfiguration: LineListener.Configuration {
        LineListener.Configuration(
            host: self.host,
            port: self.port,
            backlog: 1024,
            maximumConnections: self.maximumConnections,
            idleTimeout: self.idleTimeout,
            maximumLineLength: self.maximumLineLength,
            bindFailureHints: LineListener.BindFailureHints(
                addressInUse:
                    "another server listens there (a second forllm serve?): stop it or choose another address with --listen",
                permissionDenied: "ports below 1024 need root: use a port such as 1119"
            )
        )
    }
}
