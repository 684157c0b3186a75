/// Threading rules: `References`, and the subject of a follow-up.
/// - SeeAlso: [RFC 5537 §3.4.4](https://datatracker.ietf.org/doc/html/rfc5537#section-3.4.4)
public enum Threading {
    /// Longest `References` value written, so that the folded field stays a valid header.
    public static let maximumReferencesLength = 986

    /// The message IDs of a `References` value, in order. Tolerant of what real clients send:
    /// folding, missing spaces between IDs (`<a@b><c@d>`), comments; invalid tokens are skipped.
    public static func parseReferences(_ value: String) -> [MessageID] {
        let bytes = Array(value.utf8)
        var ids: [MessageID] = []
        ids.reserveCapacity(bytes.count / 32)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.openParen {
                // A comment: skip to its end (nesting and quoted pairs respected).
                var depth = 0
                while index < bytes.count {
                    let inner = bytes[index]
                    if inner == ASCII.backslash {
                        index += 1
                    } else if inner == ASCII.openParen {
                        depth += 1
                    } else if inner == ASCII.closeParen {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    index += 1
                }
                index += 1
                continue
            }
            guard byte == ASCII.less else {
                index += 1
                continue
            }
            // `<` … `>`; another `<` first (`<junk <a@b>`) starts again there.
            var close = index + 1
            while close < bytes.count, bytes[close] != ASCII.greater, bytes[close] != ASCII.less { close += 1 }
            guard close < bytes.count else { break }
            if bytes[close] == ASCII.less {
                index = close
                continue
            }
            let candidate = bytes[index...close]
            if MessageID.problem(candidate) == nil {
                ids.append(MessageID(unchecked: String(decoding: candidate, as: UTF8.self)))
            }
            index = close + 1
        }
        return ids
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
        Self.trimmed(parentReferences + [parentID], maximumLength: maximumLength)
    }

    /// `ids` trimmed per RFC 5537 §3.4.4 until joined by single spaces they fit in
    /// `maximumLength`: the first ID and the last three are always kept, IDs are dropped from
    /// the second onwards.
    public static func trimmed(
        _ ids: [MessageID],
        maximumLength: Int = Threading.maximumReferencesLength
    )
        -> [MessageID]
    {
        var ids = ids
        var length = ids.reduce(-1) { $0 + $1.value.utf8.count + 1 }
        guard length > maximumLength, ids.count > 4 else { return ids }
        // Drop from the second ID onwards until it fits or only the first and last three remain.
        var dropEnd = 1
        while length > maximumLength, dropEnd < ids.count - 3 {
            length -= ids[dropEnd].value.utf8.count + 1
            dropEnd += 1
        }
        ids.removeSubrange(1..<dropEnd)
        return ids
    }

    /// `Re: <subject>` without piling up prefixes: any leading `Re:`, `RE:`, `re:`, `Re[2]:`,
    /// `Re^2:`, `Re(2):`, `AW:`, `SV:`, `Antw:` (with or without spaces) is removed before `Re: `
    /// is added once. Encoded words are decoded first, so pass either form.
    public static func replySubject(_ subject: String) -> String {
        let decoded = EncodedWord.decode(subject)
        var rest = decoded[...].trimmingASCIIWhitespace()
        while let stripped = Self.droppingReplyPrefix(rest) {
            rest = stripped
        }
        return rest.isEmpty ? "Re:" : "Re: " + rest
    }

    private static let replyPrefixes: [[UInt8]] = ["re", "aw", "sv", "antw"].map { Array($0.utf8) }

    // prefix = ("re" / "aw" / "sv" / "antw") [ "[" 1*DIGIT "]" / "^" 1*DIGIT / "(" 1*DIGIT ")" ] *WSP ":"
    private static func droppingReplyPrefix(_ text: Substring) -> Substring? {
        let utf8 = text.utf8
        for prefix in Self.replyPrefixes where asciiCaseInsensitiveHasPrefix(utf8, prefix) {
            var index = utf8.index(utf8.startIndex, offsetBy: prefix.count)
            if index < utf8.endIndex, [ASCII.openParen, 0x5B, 0x5E].contains(utf8[index]) {
                let opener = utf8[index]
                index = utf8.index(after: index)
                let digitsStart = index
                while index < utf8.endIndex, utf8[index].isASCIIDigit { index = utf8.index(after: index) }
                if index == digitsStart { continue }
                if opener != 0x5E {
                    let closer: UInt8 = opener == ASCII.openParen ? ASCII.closeParen : 0x5D
                    guard index < utf8.endIndex, utf8[index] == closer else { continue }
                    index = utf8.index(after: index)
                }
            }
            while index < utf8.endIndex, utf8[index].isWSP { index = utf8.index(after: index) }
            guard index < utf8.endIndex, utf8[index] == ASCII.colon else { continue }
            return Substring(utf8[utf8.index(after: index)...]).trimmingASCIIWhitespace()
        }
        return nil
    }
}
