import NewsArticle

/// Where a mail address leads in the forum.
///
/// ```
/// forllm.general@forllm.local              -> .group("forllm.general")
/// Assistant <assistant@personas.forllm.local> -> .persona(handle: "assistant")
/// jane@example.org                         -> .unknown
/// ```
public enum MailRoute: Hashable, Sendable {
    /// `GROUP@HOSTNAME`: a post to that group (the name lower-cased; whether it exists is the
    /// forum's business).
    case group(String)
    /// `HANDLE@personas.HOSTNAME`: asks that persona (the handle lower-cased).
    case persona(handle: String)
    /// Any other address, or a local part that can be no group name or handle.
    case unknown

    /// The route of `address` (`local@domain`, no brackets) for a forum at `hostname`. Domains
    /// compare case-insensitively; local parts are lower-cased (group names and handles are
    /// lower-case); a quoted local part is never a group or persona.
    public init(address: String, hostname: String) {
        let bytes = Array(address.utf8)
        guard let at = bytes.lastIndex(of: MailBytes.at), at > 0, at + 1 < bytes.count else {
            self = .unknown
            return
        }
        let local = String(decoding: bytes[..<at].map(asciiLower), as: UTF8.self)
        let domain = String(decoding: bytes[(at + 1)...].map(asciiLower), as: UTF8.self)
        let host = String(decoding: hostname.utf8.map(asciiLower), as: UTF8.self)
        if domain == host || domain == host + "." {
            self = NewsgroupName.isValid(local) ? .group(local) : .unknown
        } else if domain == "personas." + host || domain == "personas." + host + "." {
            let isHandle =
                !local.isEmpty
                && local.utf8.allSatisfy { byte in
                    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
                }
            self = isHandle ? .persona(handle: local) : .unknown
        } else {
            self = .unknown
        }
    }

    /// The route of the first mailbox in `text`, in any form a recipient comes in:
    /// `addr@host`, `<addr@host>`, `Name <addr@host>`, `addr@host (Name)`. `nil` when `text`
    /// holds no address.
    public init?(recipient text: String, hostname: String) {
        guard let mailbox = try? Mailbox(parsing: text) else { return nil }
        self.init(address: mailbox.address, hostname: hostname)
    }
}

/// Address lists of `To`, `Cc` and `Bcc`, as values.
public enum MailAddressList {
    /// Every mailbox of an address-list value, in order: mailboxes separated by commas, and
    /// groups (`Friends: a@x, b@y;`, also the empty `undisclosed-recipients:;`) opened up.
    /// Entries without a valid address are left out.
    /// - SeeAlso: [RFC 5322 §3.4](https://datatracker.ietf.org/doc/html/rfc5322#section-3.4)
    public static func mailboxes(in value: String) -> [Mailbox] {
        var mailboxes: [Mailbox] = []
        for entry in Self.split(Array(value.utf8)[...]) {
            let text = String(decoding: entry, as: UTF8.self)
            if text.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if let mailbox = try? Mailbox(parsing: text) { mailboxes.append(mailbox) }
        }
        return mailboxes
    }

    // address-list = (address *("," address))
    // group        = display-name ":" [group-list] ";"
    /// Splits at commas, and at a group's `:` and `;`, outside quotes, comments and angle
    /// brackets.
    private static func split(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        var quoted = false
        var commentDepth = 0
        var inAngle = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if quoted {
                if byte == 0x5C {
                    index += 1
                } else if byte == 0x22 {
                    quoted = false
                }
            } else if commentDepth > 0 {
                if byte == 0x5C {
                    index += 1
                } else if byte == 0x28 {
                    commentDepth += 1
                } else if byte == 0x29 {
                    commentDepth -= 1
                }
            } else if inAngle {
                if byte == 0x3E { inAngle = false }
            } else {
                switch byte {
                case 0x22: quoted = true
                case 0x28: commentDepth = 1
                case 0x3C: inAngle = true
                case 0x2C, 0x3B:
                    // `,` between addresses; `;` ends a group.
                    parts.append(bytes[start..<index])
                    start = index + 1
                case 0x3A:
                    // `:` after a group's display name: what came before is no address.
                    start = index + 1
                default: break
                }
            }
            index += 1
        }
        if start < bytes.endIndex { parts.append(bytes[start...]) }
        return parts
    }
}
