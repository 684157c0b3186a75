import LineServer
import NIOCore
import NNTPCore

extension NNTPSession {
    /// The `CAPABILITIES` response.
    ///
    /// ```
    /// 101 Capability list:
    /// VERSION 2
    /// IMPLEMENTATION FORLLM 0.1.0
    /// READER
    /// POST
    /// LIST ACTIVE ACTIVE.TIMES COUNTS DISTRIB.PATS HEADERS NEWSGROUPS OVERVIEW.FMT
    /// OVER MSGID
    /// HDR
    /// NEWNEWS
    /// XPAT
    /// AUTHINFO USER
    /// STARTTLS
    /// .
    /// ```
    ///
    /// `MODE-READER` is absent because this server is a reader only (tin then skips
    /// `MODE READER`); `POST` only when posting is allowed; `AUTHINFO USER` only while
    /// authentication is required and not yet done; `STARTTLS` only on a port that offers it,
    /// before TLS and before authentication.
    ///
    /// - SeeAlso: [RFC 3977 §5.2](https://datatracker.ietf.org/doc/html/rfc3977#section-5.2),
    ///   [RFC 4643 §2.2](https://datatracker.ietf.org/doc/html/rfc4643#section-2.2),
    ///   [RFC 4642 §2.1](https://datatracker.ietf.org/doc/html/rfc4642#section-2.1)
    func capabilities() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeNNTPStatusLine(.capabilityListFollows, "Capability list:")
        buffer.writeNNTPDataLine("VERSION 2")
        buffer.writeNNTPDataLine("IMPLEMENTATION \(self.configuration.implementation)")
        buffer.writeNNTPDataLine("READER")
        if self.configuration.postingAllowed {
            buffer.writeNNTPDataLine("POST")
        }
        buffer.writeNNTPDataLine("LIST ACTIVE ACTIVE.TIMES COUNTS DISTRIB.PATS HEADERS NEWSGROUPS OVERVIEW.FMT")
        buffer.writeNNTPDataLine("OVER MSGID")
        buffer.writeNNTPDataLine("HDR")
        buffer.writeNNTPDataLine("NEWNEWS")
        buffer.writeNNTPDataLine("XPAT")
        if self.configuration.authenticationRequired, !self.context.isAuthenticated {
            // Without USER until TLS is up, where passwords wait for it (RFC 4643 §2.1).
            buffer.writeNNTPDataLine(self.passwordsNeedTLS ? "AUTHINFO" : "AUTHINFO USER")
        }
        if self.configuration.tls == .startTLS, !self.context.isTLSActive, !self.context.isAuthenticated {
            buffer.writeNNTPDataLine("STARTTLS")
        }
        buffer.writeNNTPTerminator()
        return buffer
    }

    /// The `HELP` response.
    ///
    /// - SeeAlso: [RFC 3977 §7.2](https://datatracker.ietf.org/doc/html/rfc3977#section-7.2)
    static func help() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeNNTPStatusLine(.helpTextFollows, "Legal commands")
        for line in Self.helpLines {
            buffer.writeNNTPDataLine(line)
        }
        buffer.writeNNTPTerminator()
        return buffer
    }

    private static let helpLines = [
        "  ARTICLE [message-ID|number]",
        "  AUTHINFO USER name|PASS password",
        "  BODY [message-ID|number]",
        "  CAPABILITIES [keyword]",
        "  DATE",
        "  GROUP newsgroup",
        "  HDR header [message-ID|range]",
        "  HEAD [message-ID|number]",
        "  HELP",
        "  LAST",
        "  LIST [ACTIVE [wildmat]|ACTIVE.TIMES [wildmat]|COUNTS [wildmat]|DISTRIB.PATS|HEADERS [MSGID|RANGE]|NEWSGROUPS [wildmat]|OVERVIEW.FMT]",
        "  LISTGROUP [newsgroup [range]]",
        "  MODE READER",
        "  NEWGROUPS [yy]yymmdd hhmmss [GMT]",
        "  NEWNEWS wildmat [yy]yymmdd hhmmss [GMT]",
        "  NEXT",
        "  OVER [range|message-ID]",
        "  POST",
        "  QUIT",
        "  STARTTLS",
        "  STAT [message-ID|number]",
        "  XHDR header [message-ID|range]",
        "  XOVER [range]",
        "  XPAT header message-ID|range pattern [pattern ...]",
        "Report problems to the administrator of this server."
    ]
}
