/// An author: an optional display name and an address, as in `From`.
///
/// ```
/// From: "Doe, Jane" <jane@example.org>
/// From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>
/// From: jane@example.org (Jane Doe)
/// From: jane@example.org
/// ```
/// - SeeAlso: [RFC 5322 §3.4](https://datatracker.ietf.org/doc/html/rfc5322#section-3.4)
public struct Mailbox: Hashable, Sendable {
    /// The display name with encoded words decoded and quoting removed; `nil` when absent.
    public var displayName: String?
    /// `local@domain`, as written (no angle brackets).
    public var address: String
    /// The name in the old comment form `jane@example.org (Jane Doe)`, decoded; `nil` when
    /// absent or when there is a display name.
    public var comment: String?

    public init(displayName: String?, address: String) {
        self.displayName = displayName
        self.address = address
        self.comment = nil
    }

    /// Parses the first mailbox of a `From` value in any of the forms above.
    /// Throws `.invalidFrom` when no `local@domain` address with non-empty sides is found.
    /// Entries of a list are tried in order; the first one with a valid address wins.
    public init(parsing value: String) throws(ArticleError) {
        let bytes = Array(value.utf8)
        for candidate in Self.splitList(bytes[...]) {
            if let mailbox = Self.parseMailbox(candidate) {
                self = mailbox
                return
            }
        }
        throw ArticleError(.invalidFrom, "\(value.quotedForMessage()) has no valid address (local@domain)")
    }

    /// Every mailbox of an address-list value (`To`, `Cc`, `Bcc`), in order: mailboxes
    /// separated by commas, and groups (`Friends: a@x, b@y;`, also the empty
    /// `undisclosed-recipients:;`) opened up. Entries without a valid address are left out.
    /// - SeeAlso: [RFC 5322 §3.4](https://datatracker.ietf.org/doc/html/rfc5322#section-3.4)
    public static func addressList(parsing value: String) -> [Mailbox] {
        Self.splitList(Array(value.utf8)[...], opensGroups: true).compactMap(Self.parseMailbox)
    }

    /// The name to show a person or a model: the display name, else the comment form's
    /// name, else the local part of the address.
    public var friendlyName: String {
        if let name = self.displayName?.trimmingASCIIWhitespace(), !name.isEmpty { return name }
        if let name = self.comment?.trimmingASCIIWhitespace(), !name.isEmpty { return name }
        guard let at = self.address.utf8.lastIndex(of: ASCII.at) else { return self.address }
        var local = String(Substring(self.address.utf8[..<at]))
        if local.utf8.count >= 2, local.utf8.first == ASCII.quote, local.utf8.last == ASCII.quote {
            local = String(local.dropFirst().dropLast())
        }
        return local.isEmpty ? self.address : local
    }

    /// The header form: `Name <address>`, the name as an atom sequence when it is plain
    /// ASCII without specials, a quoted-string when it has specials, RFC 2047 encoded words
    /// when it is not ASCII; just `address` when there is no name. A ``comment`` name is
    /// written as a display name.
    public var headerValue: String {
        let name = (self.displayName ?? self.comment)?.trimmingASCIIWhitespace() ?? ""
        if name.isEmpty { return self.address }
        return EncodedWord.encodePhrase(name) + " <" + self.address + ">"
    }

    // MARK: - Parsing

    // address-list = (address *("," address))
    // group        = display-name ":" [group-list] ";"
    /// Splits a list at commas outside quotes, comments and angle brackets; with `opensGroups`,
    /// also at a group's `;`, and a group's display name before its `:` is no entry.
    private static func splitList(_ bytes: ArraySlice<UInt8>, opensGroups: Bool = false) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        var quoted = false
        var commentDepth = 0
        var inAngle = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if quoted {
                if byte == ASCII.backslash {
                    index += 1
                } else if byte == ASCII.quote {
                    quoted = false
                }
            } else if commentDepth > 0 {
                if byte == ASCII.backslash {
                    index += 1
                } else if byte == ASCII.openParen {
                    commentDepth += 1
                } else if byte == ASCII.closeParen {
                    commentDepth -= 1
                }
            } else if inAngle {
                if byte == ASCII.greater { inAngle = false }
            } else {
                switch byte {
                case ASCII.quote: quoted = true
                case ASCII.openParen: commentDepth = 1
                case ASCII.less: inAngle = true
                case ASCII.comma:
                    parts.append(bytes[start..<index])
                    start = index + 1
                case ASCII.semicolon where opensGroups:
                    parts.append(bytes[start..<index])
                    start = index + 1
                case ASCII.colon where opensGroups:
                    start = index + 1
                default: break
                }
            }
            index += 1
        }
        parts.append(bytes[start...])
        return parts
    }

    // mailbox    = name-addr / addr-spec
    // name-addr  = [display-name] angle-addr
    // angle-addr = [CFWS] "<" addr-spec ">" [CFWS]
    private static func parseMailbox(_ bytes: ArraySlice<UInt8>) -> Mailbox? {
        var phrase: [UInt8] = []  // outside comments and angle brackets, quotes removed
        var bare: [UInt8] = []  // outside comments and angle brackets, quotes kept
        var comments: [[UInt8]] = []
        var angle: ArraySlice<UInt8>?
        var index = bytes.startIndex

        func appendSpace() {
            if let last = phrase.last, last != ASCII.space { phrase.append(ASCII.space) }
            if let last = bare.last, last != ASCII.space { bare.append(ASCII.space) }
        }

        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case ASCII.quote:
                bare.append(byte)
                index += 1
                while index < bytes.endIndex, bytes[index] != ASCII.quote {
                    if bytes[index] == ASCII.backslash, index + 1 < bytes.endIndex {
                        bare.append(bytes[index])
                        index += 1
                    }
                    phrase.append(bytes[index])
                    bare.append(bytes[index])
                    index += 1
                }
                bare.append(ASCII.quote)
                index += 1
            case ASCII.openParen:
                var depth = 0
                var comment: [UInt8] = []
                while index < bytes.endIndex {
                    let inner = bytes[index]
                    if inner == ASCII.backslash, index + 1 < bytes.endIndex {
                        comment.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    if inner == ASCII.openParen {
                        depth += 1
                        if depth > 1 { comment.append(inner) }
                    } else if inner == ASCII.closeParen {
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            break
                        }
                        comment.append(inner)
                    } else {
                        comment.append(inner)
                    }
                    index += 1
                }
                comments.append(comment)
                appendSpace()
            case ASCII.less where angle == nil:
                let start = index + 1
                let end = bytes[start...].firstIndex(of: ASCII.greater) ?? bytes.endIndex
                angle = bytes[start..<end]
                index = min(end + 1, bytes.endIndex)
                appendSpace()
            default:
                if byte.isASCIIWhitespace {
                    appendSpace()
                } else if angle == nil {
                    phrase.append(byte)
                    bare.append(byte)
                }
                index += 1
            }
        }

        let firstComment = comments.lazy
            .map { EncodedWord.decode(String(decoding: $0, as: UTF8.self)).trimmingASCIIWhitespace() }
            .first { !$0.isEmpty }
        if var address = angle?.trimmingASCIIWhitespace() {
            // obs-route: <@relay1,@relay2:jane@example.org>
            if address.first == ASCII.at, let colon = address.firstIndex(of: ASCII.colon) {
                address = address[(colon + 1)...]
            }
            guard Self.isValidAddress(address) else { return nil }
            let name = EncodedWord.decode(String(decoding: phrase, as: UTF8.self)).trimmingASCIIWhitespace()
            var mailbox = Mailbox(
                displayName: name.isEmpty ? nil : name,
                address: String(decoding: address, as: UTF8.self)
            )
            if name.isEmpty { mailbox.comment = firstComment }
            return mailbox
        }
        let address = bare[...].trimmingASCIIWhitespace()
        guard Self.isValidAddress(address) else { return nil }
        var mailbox = Mailbox(displayName: nil, address: String(decoding: address, as: UTF8.self))
        mailbox.comment = firstComment
        return mailbox
    }

    /// `local@domain`: non-empty sides around the last `@`, no white space or control
    /// characters, none of `<>(),;` (outside a quoted local part), no `@` in the domain.
    static func isValidAddress(_ address: ArraySlice<UInt8>) -> Bool {
        guard let at = address.lastIndex(of: ASCII.at), at > address.startIndex, at + 1 < address.endIndex else {
            return false
        }
        var quoted = false
        for index in address.indices {
            let byte = address[index]
            if byte == ASCII.quote, index < at { quoted.toggle() }
            if byte < 0x20 || byte == 0x7F { return false }
            if quoted { continue }
            switch byte {
            case ASCII.space, ASCII.less, ASCII.greater, ASCII.openParen, ASCII.closeParen, ASCII.comma,
                ASCII.semicolon, ASCII.backslash:
                return false
            case ASCII.at where index != at:
                return false
            default:
                continue
            }
        }
        return !quoted
    }
}
