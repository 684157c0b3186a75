/// The `BODY=` parameter of `MAIL FROM`: what the message's bytes may be.
///
/// ```
/// body-value = "7BIT" / "8BITMIME"
/// ```
///
/// - SeeAlso: [RFC 6152 §2](https://datatracker.ietf.org/doc/html/rfc6152#section-2)
public enum SMTPBodyType: String, Hashable, Sendable {
    /// `BODY=7BIT`: ASCII only.
    case sevenBit = "7BIT"
    /// `BODY=8BITMIME`: octets above 127 in the body (lines still end in CRLF, no NUL).
    case eightBitMIME = "8BITMIME"
}
