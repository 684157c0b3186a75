/// Limits of the NNTP wire protocol, each with the rule it comes from.
///
/// The values that a deployment may want to change (the article size, the idle timeout) are
/// defaults for the server's configuration; the others are fixed by the protocol.
public enum NNTPDefaults {
    /// The longest command line a client may send, CRLF included.
    ///
    /// - SeeAlso: [RFC 3977 §3.1](https://datatracker.ietf.org/doc/html/rfc3977#section-3.1)
    public static let commandLineLimit = 512

    /// The longest line the framing layer buffers, terminator excluded. Longer lines are reported
    /// once as over-long and their bytes are dropped up to the next LF, so a peer can never make
    /// the server buffer without bound. RFC 5322 §2.1.1 caps article lines at 998 octets; this is
    /// far above that so that sloppy articles still arrive whole.
    public static let lineLengthLimit = 64 * 1024

    /// The default limit for a posted article, in octets (unstuffed, CRLF lines).
    public static let maximumArticleBytes = 1024 * 1024

    /// The longest message-id, angle brackets included.
    ///
    /// - SeeAlso: [RFC 3977 §3.6](https://datatracker.ietf.org/doc/html/rfc3977#section-3.6)
    public static let messageIDLengthLimit = 250

    /// The most digits of an article number (`article-number = 1*16DIGIT`); more is a syntax
    /// error.
    ///
    /// - SeeAlso: [RFC 3977 §9.8](https://datatracker.ietf.org/doc/html/rfc3977#section-9.8)
    public static let articleNumberDigitLimit = 16

    /// Responses are sent in one write up to this size; longer ones (`OVER`, `LISTGROUP` of a
    /// large group) go out in chunks of about this size.
    public static let responseChunkSize = 64 * 1024
}
