import NIOCore
import NIOSSL

/// TLS for a line listener: the server's certificate and key (as a ready `NIOSSLContext`) and
/// how a connection comes to use them.
///
/// ```swift
/// let context = try NIOSSLContext(configuration: .makeServerConfiguration(
///     certificateChain: chain, privateKey: .privateKey(key)))
/// LineTLS(context: context, mode: .implicit)   // NNTPS (RFC 8143): TLS from the first byte
/// LineTLS(context: context, mode: .startTLS)   // plain port, STARTTLS (RFC 4642, RFC 3207)
/// ```
public struct LineTLS: Sendable {
    /// When a connection starts TLS.
    public enum Mode: Hashable, Sendable {
        /// From the first byte: the TLS handshake comes before the greeting.
        ///
        /// - SeeAlso: [RFC 8143 §3](https://datatracker.ietf.org/doc/html/rfc8143#section-3)
        case implicit
        /// When the session asks for it (``LineListener/startTLS(on:sending:)``) after the
        /// client's `STARTTLS`.
        case startTLS
    }

    /// The server side of TLS: certificate chain, private key, protocol versions.
    public var context: NIOSSLContext
    /// When a connection starts TLS.
    public var mode: Mode

    /// Creates the TLS settings of a listener.
    public init(context: NIOSSLContext, mode: Mode) {
        self.context = context
        self.mode = mode
    }
}

/// What a connection's TLS negotiated, once its handshake is complete.
public struct LineTLSInfo: Hashable, Sendable, CustomStringConvertible {
    /// The protocol version, `TLSv1.2` or `TLSv1.3`.
    public var protocolVersion: String

    /// Creates the description of an established TLS layer.
    public init(protocolVersion: String) {
        self.protocolVersion = protocolVersion
    }

    /// The name a log line shows for `version`.
    static func name(of version: TLSVersion?) -> String {
        switch version {
        case .tlsv1: return "TLSv1.0"
        case .tlsv11: return "TLSv1.1"
        case .tlsv12: return "TLSv1.2"
        case .tlsv13: return "TLSv1.3"
        case nil: return "unknown"
        }
    }

    public var description: String { self.protocolVersion }
}
