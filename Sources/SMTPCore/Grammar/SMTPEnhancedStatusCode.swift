/// An enhanced mail system status code, `class.subject.detail`, sent after the reply code.
///
/// ```
/// status-code = class "." subject "." detail
/// class       = "2" / "4" / "5"
/// ```
///
/// - SeeAlso: [RFC 3463 §2](https://datatracker.ietf.org/doc/html/rfc3463#section-2),
///   [RFC 2034](https://datatracker.ietf.org/doc/html/rfc2034)
public struct SMTPEnhancedStatusCode: Hashable, Sendable {
    /// 2 success, 4 persistent transient failure, 5 permanent failure.
    public var statusClass: Int
    /// The subject (1 addressing, 3 mail system, 5 protocol, 6 content …).
    public var subject: Int
    /// The detail within the subject.
    public var detail: Int

    /// Creates a code, e.g. `SMTPEnhancedStatusCode(5, 1, 1)` for `5.1.1`.
    public init(_ statusClass: Int, _ subject: Int, _ detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }
}

// MARK: - CustomStringConvertible

extension SMTPEnhancedStatusCode: CustomStringConvertible {
    /// `class.subject.detail`.
    public var description: String {
        "\(self.statusClass).\(self.subject).\(self.detail)"
    }
}
