/// Reads a path (`<mailbox>`) and what follows it, left to right.
///
/// ```
/// Path           = "<" [ A-d-l ":" ] Mailbox ">"
/// A-d-l          = At-domain *( "," At-domain )      ; a source route: accepted and ignored
/// Mailbox        = Local-part "@" ( Domain / address-literal )
/// Local-part     = Dot-string / Quoted-string
/// Dot-string     = Atom *("." Atom)
/// Atom           = 1*atext                           ; RFC 6531: atext =/ UTF8-non-ascii
/// Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
/// QcontentSMTP   = qtextSMTP / quoted-pairSMTP
/// qtextSMTP      = %d32-33 / %d35-91 / %d93-126      ; RFC 6531: =/ UTF8-non-ascii
/// quoted-pairSMTP = %d92 %d32-126
/// Domain         = sub-domain *("." sub-domain)
/// sub-domain     = Let-dig [Ldh-str]                 ; RFC 6531: or a U-label
/// address-literal = "[" 1*dcontent "]"               ; dcontent = %d33-90 / %d94-126
/// ```
///
/// - SeeAlso: [RFC 5321 §4.1.2](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.2),
///   [RFC 6531 §3.3](https://datatracker.ietf.org/doc/html/rfc6531#section-3.3)
struct SMTPPathCursor {
    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    private var current: UInt8? {
        self.index < self.bytes.endIndex ? self.bytes[self.index] : nil
    }

    /// The bytes not read yet.
    func remainder() -> ArraySlice<UInt8> {
        self.bytes[self.index...]
    }

    /// Reads `<Postmaster>` (any case) if that is what comes next.
    mutating func skipPostmaster() -> Bool {
        let word = Array("<POSTMASTER>".utf8)
        let end = self.index + word.count
        guard end <= self.bytes.endIndex,
            SMTPCommandParser.uppercased(self.bytes[self.index..<end]) == "<POSTMASTER>"
        else {
            return false
        }
        self.index = end
        return true
    }

    /// Reads a path; `nil` for the null path `<>`, which only a reverse path may be.
    mutating func parsePath(isForward: Bool) throws(SMTPParserError) -> SMTPMailbox? {
        guard self.current == UInt8(ascii: "<") else {
            throw .syntax("the address must be in angle brackets: <user@domain>")
        }
        self.index += 1
        if self.current == UInt8(ascii: ">") {
            guard !isForward else {
                throw .syntax("the null path <> is no recipient")
            }
            self.index += 1
            return nil
        }
        if self.current == UInt8(ascii: "@") {
            try self.skipSourceRoute()
        }
        let start = self.index
        let localPart = try self.parseLocalPart()
        guard self.current == UInt8(ascii: "@") else {
            throw self.unexpected(in: "the local part", expected: "@domain")
        }
        self.index += 1
        let domainStart = self.index
        try self.parseDomain()
        let domain = SMTPCommandParser.string(self.bytes[domainStart..<self.index])
        let address = SMTPCommandParser.string(self.bytes[start..<self.index])
        guard self.current == UInt8(ascii: ">") else {
            throw self.unexpected(in: "the domain", expected: ">")
        }
        self.index += 1
        return SMTPMailbox(localPart: localPart, domain: domain, address: address)
    }

    // A-d-l = At-domain *( "," At-domain ) ":"; RFC 5321 §4.1.1.3: accept, then ignore.
    private mutating func skipSourceRoute() throws(SMTPParserError) {
        while self.current == UInt8(ascii: "@") {
            self.index += 1
            try self.parseDomain()
            if self.current == UInt8(ascii: ",") {
                self.index += 1
                continue
            }
            guard self.current == UInt8(ascii: ":") else {
                throw self.unexpected(in: "the source route", expected: ":")
            }
            self.index += 1
            return
        }
        throw self.unexpected(in: "the source route", expected: "@domain")
    }

    private mutating func parseLocalPart() throws(SMTPParserError) -> String {
        if self.current == UInt8(ascii: "\"") {
            return try self.parseQuotedString()
        }
        let start = self.index
        while true {
            let atomStart = self.index
            while let byte = self.current, Self.isAtext(byte) {
                self.index += 1
            }
            guard self.index > atomStart else {
                throw self.unexpected(in: "the local part", expected: "a letter, digit or one of !#$%&'*+-/=?^_`{|}~")
            }
            guard self.current == UInt8(ascii: ".") else {
                return SMTPCommandParser.string(self.bytes[start..<self.index])
            }
            self.index += 1
        }
    }

    private mutating func parseQuotedString() throws(SMTPParserError) -> String {
        self.index += 1
        var content: [UInt8] = []
        while let byte = self.current {
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: content, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let quoted = self.current, quoted >= 32, quoted <= 126 else {
                    throw .syntax("invalid quoted pair in the local part")
                }
                content.append(quoted)
                self.index += 1
            default:
                guard byte >= 32, byte != 127 else {
                    throw .syntax("invalid character in the quoted local part")
                }
                content.append(byte)
            }
        }
        throw .syntax("unterminated quoted local part")
    }

    private mutating func parseDomain() throws(SMTPParserError) {
        if self.current == UInt8(ascii: "[") {
            self.index += 1
            let start = self.index
            while let byte = self.current, (33...90).contains(byte) || (94...126).contains(byte) {
                self.index += 1
            }
            guard self.index > start, self.current == UInt8(ascii: "]") else {
                throw self.unexpected(in: "the address literal", expected: "]")
            }
            self.index += 1
            return
        }
        while true {
            let start = self.index
            while let byte = self.current,
                SMTPCommandParser.isAlphaNumeric(byte) || byte == UInt8(ascii: "-") || byte >= 0x80
            {
                self.index += 1
            }
            let label = self.bytes[start..<self.index]
            guard let first = label.first, let last = label.last, first != UInt8(ascii: "-"),
                last != UInt8(ascii: "-")
            else {
                throw self.unexpected(in: "the domain", expected: "a letter or digit")
            }
            guard self.current == UInt8(ascii: ".") else {
                return
            }
            self.index += 1
        }
    }

    /// atext of RFC 5322 §3.2.3, and any octet of a UTF-8 sequence (RFC 6531 §3.3).
    private static func isAtext(_ byte: UInt8) -> Bool {
        SMTPCommandParser.isAlphaNumeric(byte) || byte >= 0x80 || Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
    }

    private func unexpected(in part: String, expected: String) -> SMTPParserError {
        guard let byte = self.current else {
            return .syntax("the address ends early in \(part): expected \(expected)")
        }
        let shown = byte >= 33 && byte <= 126 ? "'\(Character(Unicode.Scalar(byte)))'" : SMTPCommandParser.hex(byte)
        return .syntax("unexpected \(shown) in \(part): expected \(expected)")
    }
}
