import Foundation

/// Dates in headers: RFC 5322 `date-time`, parsed leniently, written strictly.
///
/// ```
/// Date: Wed, 25 Nov 2026 17:28:35 +0000
/// ```
/// - SeeAlso: [RFC 5322 §3.3](https://datatracker.ietf.org/doc/html/rfc5322#section-3.3)
public enum NewsDate {
    /// Parses RFC 5322 dates including the obsolete forms of §4.3: optional day name, optional
    /// seconds, two- and three-digit years, named zones (UT, GMT, EST/EDT, CST/CDT, MST/MDT,
    /// PST/PDT, military letters as -0000), comments such as `(UTC)`, extra white space, and
    /// month names in any case. `nil` when it does not parse or names an impossible date.
    public static func parse(_ text: String) -> Date? {
        fatalError("unimplemented")
    }

    /// Formats `date` as `Wed, 25 Nov 2026 17:28:35 +0000` (always UTC, English names).
    public static func format(_ date: Date) -> String {
        fatalError("unimplemented")
    }
}
