/// Threading rules: `References`, and the subject of a follow-up.
/// - SeeAlso: [RFC 5537 §3.4.4](https://datatracker.ietf.org/doc/html/rfc5537#section-3.4.4)
public enum Threading {
    /// Longest `References` value written, so that the folded field stays a valid header.
    public static let maximumReferencesLength = 986

    /// The message IDs of a `References` value, in order. Tolerant of what real clients send:
    /// folding, missing spaces between IDs (`<a@b><c@d>`), comments; invalid tokens are skipped.
    public static func parseReferences(_ value: String) -> [MessageID] {
        fatalError("unimplemented")
    }

    /// The `References` of a follow-up to an article with `parentReferences` and `parentID`:
    /// the parent's references plus its ID, trimmed per RFC 5537 §3.4.4 when the joined value
    /// (single spaces) would exceed `maximumLength`: the first ID and the last three (parent
    /// included) are always kept, IDs are dropped from the second onwards.
    public static func followupReferences(
        parentReferences: [MessageID],
        parentID: MessageID,
        maximumLength: Int = Threading.maximumReferencesLength
    ) -> [MessageID] {
        fatalError("unimplemented")
    }

    /// `Re: <subject>` without piling up prefixes: any leading `Re:`, `RE:`, `re:`, `Re[2]:`,
    /// `Re^2:`, `AW:`, `SV:` (with or without spaces) is removed before `Re: ` is added once.
    public static func replySubject(_ subject: String) -> String {
        fatalError("unimplemented")
    }
}
