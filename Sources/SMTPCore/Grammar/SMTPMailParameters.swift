/// The ESMTP parameters of `MAIL FROM` this server knows.
///
/// ```
/// Mail-parameters = esmtp-param *(SP esmtp-param)
/// esmtp-param     = esmtp-keyword ["=" esmtp-value]
/// size-param      = "SIZE=" 1*20DIGIT                 ; RFC 1870
/// body-param      = "BODY=" ("7BIT" / "8BITMIME")      ; RFC 6152
/// smtputf8-param  = "SMTPUTF8"                         ; RFC 6531
/// ```
///
/// Any other keyword is refused with `555` (RFC 5321 §4.1.1.11).
///
/// - SeeAlso: [RFC 5321 §4.1.1.2](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.1.2)
public struct SMTPMailParameters: Hashable, Sendable {
    /// The size the client declares, in octets; `Int.max` for a number too large to hold.
    public var size: Int?
    /// The body type the client declares.
    public var body: SMTPBodyType?
    /// Whether the transaction may use UTF-8 in addresses and headers (RFC 6531).
    public var isSMTPUTF8: Bool

    /// Creates parameters; none by default.
    public init(size: Int? = nil, body: SMTPBodyType? = nil, isSMTPUTF8: Bool = false) {
        self.size = size
        self.body = body
        self.isSMTPUTF8 = isSMTPUTF8
    }
}
