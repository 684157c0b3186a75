import LineServer
import SMTPCore

/// Settings of the SMTP submission service. The defaults are those of a local single-user
/// receiver: loopback only, like the NNTP server's.
public struct SMTPServerConfiguration: Hashable, Sendable {
    /// The address to bind, e.g. `127.0.0.1` or `::1`.
    public var host: String
    /// The port to bind; 0 lets the system choose (see `onListening`).
    public var port: Int
    /// The host name in the greeting and the `EHLO` reply; also the domain of `<Postmaster>`.
    public var hostname: String
    /// The largest message accepted, in octets (unstuffed, CRLF lines); advertised as `SIZE`.
    public var maximumMessageBytes: Int
    /// Recipients per transaction; one more gets `452 4.5.3`.
    public var maximumRecipients: Int
    /// A connection that neither reads nor writes for this long gets `421` and is closed.
    /// RFC 5321 §4.5.3.2.7 asks for at least 5 minutes.
    public var idleTimeout: Duration
    /// Connections served at once. One more is told `421 too many connections` and closed.
    public var maximumConnections: Int
    /// The longest command line accepted, CRLF included (RFC 5321's minimum is 512).
    public var maximumCommandLineLength: Int
    /// The longest line of a message accepted, CRLF excluded; a message with a longer line is
    /// refused whole.
    public var maximumTextLineLength: Int

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 2525,
        hostname: String = "localhost",
        maximumMessageBytes: Int = SMTPDefaults.maximumMessageBytes,
        maximumRecipients: Int = SMTPDefaults.maximumRecipients,
        idleTimeout: Duration = .seconds(300),
        maximumConnections: Int = 1000,
        maximumCommandLineLength: Int = SMTPDefaults.extendedCommandLineLimit,
        maximumTextLineLength: Int = SMTPDefaults.extendedTextLineLimit
    ) {
        self.host = host
        self.port = port
        self.hostname = hostname
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumRecipients = maximumRecipients
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.maximumCommandLineLength = maximumCommandLineLength
        self.maximumTextLineLength = maximumTextLineLength
    }

    /// The longest line the framing layer buffers, terminator excluded.
    var maximumFrameLength: Int {
        Swift.max(self.maximumCommandLineLength, self.maximumTextLineLength)
    }

    /// What the listening service needs.
    var listenerConfiguration: LineListener.Configuration {
        LineListener.Configuration(
            host: self.host,
            port: self.port,
            backlog: 256,
            maximumConnections: self.maximumConnections,
            idleTimeout: self.idleTimeout,
            maximumLineLength: self.maximumFrameLength,
            bindFailureHints: LineListener.BindFailureHints(
                addressInUse:
                    "another server listens there (a second forllm serve?): stop it or choose another address",
                permissionDenied: "ports below 1024 need root: use a port such as 2525"
            )
        )
    }
}
