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
