/// The three-digit code of a reply.
///
/// - SeeAlso: [RFC 5321 §4.2](https://datatracker.ietf.org/doc/html/rfc5321#section-4.2)
public struct SMTPReplyCode: Hashable, Sendable, RawRepresentable {
    /// The code, 200 to 599.
    public var rawValue: Int

    /// Creates a code.
    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// `214` help message.
    public static let helpMessage = SMTPReplyCode(rawValue: 214)
    /// `220` service ready (the greeting).
    public static let serviceReady = SMTPReplyCode(rawValue: 220)
    /// `221` closing the transmission channel (after `QUIT`).
    public static let closing = SMTPReplyCode(rawValue: 221)
    /// `250` requested action okay, completed.
    public static let ok = SMTPReplyCode(rawValue: 250)
    /// `252` cannot verify the user, but will accept the message (the answer to `VRFY`).
    public static let cannotVerify = SMTPReplyCode(rawValue: 252)
    /// `354` start mail input, end with `<CRLF>.<CRLF>`.
    public static let startMailInput = SMTPReplyCode(rawValue: 354)
    /// `421` service not available, closing the transmission channel.
    public static let serviceNotAvailable = SMTPReplyCode(rawValue: 421)
    /// `451` action aborted: local error in processing (a temporary failure).
    public static let localError = SMTPReplyCode(rawValue: 451)
    /// `452` insufficient system storage; also "too many recipients" (§4.5.3.1.10).
    public static let insufficientStorage = SMTPReplyCode(rawValue: 452)
    /// `500` syntax error, command unrecognised; also "line too long" (§4.5.3.1.10).
    public static let commandUnrecognized = SMTPReplyCode(rawValue: 500)
    /// `501` syntax error in parameters or arguments.
    public static let syntaxError = SMTPReplyCode(rawValue: 501)
    /// `502` command not implemented.
    public static let commandNotImplemented = SMTPReplyCode(rawValue: 502)
    /// `503` bad sequence of commands.
    public static let badSequence = SMTPReplyCode(rawValue: 503)
    /// `550` mailbox unavailable (no such recipient).
    public static let mailboxUnavailable = SMTPReplyCode(rawValue: 550)
    /// `552` exceeded storage allocation (the message is too large).
    public static let exceededStorage = SMTPReplyCode(rawValue: 552)
    /// `553` mailbox name not allowed.
    public static let mailboxNameNotAllowed = SMTPReplyCode(rawValue: 553)
    /// `554` transaction failed (the message is refused).
    public static let transactionFailed = SMTPReplyCode(rawValue: 554)
    /// `555` `MAIL FROM`/`RCPT TO` parameters not recognised or not implemented.
    public static let parametersNotRecognized = SMTPReplyCode(rawValue: 555)
}

// MARK: - CustomStringConvertible

extension SMTPReplyCode: CustomStringConvertible {
    public var description: String {
        String(self.rawValue)
    }
}
