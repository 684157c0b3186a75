/// Limits of the SMTP wire protocol, each with the rule it comes from.
///
/// The values a deployment may want to change (message size, recipients, the longest line
/// accepted) are defaults for the server's configuration; RFC 5321 gives the minimum a server
/// must accept, and "to the maximum extent possible, implementation techniques that impose no
/// limits on the length of these objects should be used" (§4.5.3.1).
///
/// - SeeAlso: [RFC 5321 §4.5.3.1](https://datatracker.ietf.org/doc/html/rfc5321#section-4.5.3.1)
public enum SMTPDefaults {
    /// The longest command line RFC 5321 requires a server to accept, CRLF included.
    ///
    /// - SeeAlso: [RFC 5321 §4.5.3.1.4](https://datatracker.ietf.org/doc/html/rfc5321#section-4.5.3.1.4)
    public static let commandLineLimit = 512

    /// The longest command line this server accepts by default, CRLF included.
    ///
    /// Longer than ``commandLineLimit``: extensions lengthen `MAIL` (RFC 1870 `SIZE=`, RFC 6152
    /// `BODY=`, RFC 6531 `SMTPUTF8`), and an internationalised address (RFC 6531) counts its
    /// octets, up to four per character, against the same limit.
    public static let extendedCommandLineLimit = 2048

    /// The longest text line RFC 5321 requires a server to accept in `DATA`, CRLF included.
    ///
    /// - SeeAlso: [RFC 5321 §4.5.3.1.6](https://datatracker.ietf.org/doc/html/rfc5321#section-4.5.3.1.6)
    public static let textLineLimit = 1000

    /// The longest text line this server accepts by default in `DATA`, CRLF excluded. Mail
    /// clients send longer lines than RFC 5322's 998 octets (HTML parts, long headers); a message
    /// with a longer line is refused whole, and the framing layer never buffers more.
    public static let extendedTextLineLimit = 64 * 1024

    /// The default limit of a message, in octets (unstuffed, CRLF lines), advertised as `SIZE`.
    ///
    /// - SeeAlso: [RFC 1870](https://datatracker.ietf.org/doc/html/rfc1870)
    public static let maximumMessageBytes = 1024 * 1024

    /// The default number of recipients of one transaction; the minimum RFC 5321 requires.
    ///
    /// - SeeAlso: [RFC 5321 §4.5.3.1.8](https://datatracker.ietf.org/doc/html/rfc5321#section-4.5.3.1.8)
    public static let maximumRecipients = 100
}
