import NIOCore

extension ByteBuffer {
    /// Writes `command` as a client sends it, with its CRLF. Parsing the result gives `command`
    /// back (the round trip the tests check).
    @discardableResult
    public mutating func writeNNTPCommand(_ command: NNTPCommand) -> Int {
        var size = 0
        switch command {
        case .capabilities(let keyword):
            size += self.writeString("CAPABILITIES")
            if let keyword {
                size += self.writeString(" \(keyword)")
            }
        case .modeReader:
            size += self.writeString("MODE READER")
        case .quit:
            size += self.writeString("QUIT")
        case .help:
            size += self.writeString("HELP")
        case .date:
            size += self.writeString("DATE")
        case .group(let name):
            size += self.writeString("GROUP \(name)")
        case .listGroup(let group, let range):
            size += self.writeString("LISTGROUP")
            if let group {
                size += self.writeString(" \(group)")
            }
            if let range {
                size += self.writeString(" ")
                size += self.writeArticleRange(range)
            }
        case .last:
            size += self.writeString("LAST")
        case .next:
            size += self.writeString("NEXT")
        case .article(let selector):
            size += self.writeString("ARTICLE")
            size += self.writeNNTPArticleSelector(selector)
        case .head(let selector):
            size += self.writeString("HEAD")
            size += self.writeNNTPArticleSelector(selector)
        case .body(let selector):
            size += self.writeString("BODY")
            size += self.writeNNTPArticleSelector(selector)
        case .stat(let selector):
            size += self.writeString("STAT")
            size += self.writeNNTPArticleSelector(selector)
        case .post:
            size += self.writeString("POST")
        case .newGroups(let dateTime):
            size += self.writeString("NEWGROUPS ")
            size += self.writeNNTPDateTime(dateTime)
        case .newNews(let wildmat, let dateTime):
            size += self.writeString("NEWNEWS \(wildmat.source) ")
            size += self.writeNNTPDateTime(dateTime)
        case .list(let variant):
            size += self.writeString("LIST")
            size += self.writeNNTPListVariant(variant)
        case .over(let selector):
            size += self.writeString("OVER")
            size += self.writeNNTPRangeSelector(selector)
        case .xover(let selector):
            size += self.writeString("XOVER")
            size += self.writeNNTPRangeSelector(selector)
        case .hdr(let field, let selector):
            size += self.writeString("HDR \(field)")
            size += self.writeNNTPRangeSelector(selector)
        case .xhdr(let field, let selector):
            size += self.writeString("XHDR \(field)")
            size += self.writeNNTPRangeSelector(selector)
        case .xpat(let field, let selector, let pattern):
            size += self.writeString("XPAT \(field)")
            size += self.writeNNTPRangeSelector(selector)
            size += self.writeString(" \(pattern.source)")
        case .authinfoUser(let user):
            size += self.writeString("AUTHINFO USER \(user)")
        case .authinfoPass(let password):
            size += self.writeString("AUTHINFO PASS \(password)")
        case .startTLS:
            size += self.writeString("STARTTLS")
        }
        size += self.writeString("\r\n")
        return size
    }

    private mutating func writeNNTPArticleSelector(_ selector: NNTPArticleSelector) -> Int {
        switch selector {
        case .current:
            return 0
        case .number(let number):
            return self.writeString(" \(number)")
        case .messageID(let messageID):
            return self.writeString(" \(messageID)")
        }
    }

    private mutating func writeNNTPRangeSelector(_ selector: NNTPRangeSelector) -> Int {
        switch selector {
        case .current:
            return 0
        case .range(let range):
            return self.writeString(" ") + self.writeArticleRange(range)
        case .messageID(let messageID):
            return self.writeString(" \(messageID)")
        }
    }

    private mutating func writeNNTPListVariant(_ variant: NNTPListVariant) -> Int {
        func keyword(_ name: String, _ wildmat: Wildmat?) -> String {
            wildmat.map { " \(name) \($0.source)" } ?? " \(name)"
        }
        switch variant {
        case .active(let wildmat): return self.writeString(keyword("ACTIVE", wildmat))
        case .activeTimes(let wildmat): return self.writeString(keyword("ACTIVE.TIMES", wildmat))
        case .newsgroups(let wildmat): return self.writeString(keyword("NEWSGROUPS", wildmat))
        case .counts(let wildmat): return self.writeString(keyword("COUNTS", wildmat))
        case .overviewFormat: return self.writeString(" OVERVIEW.FMT")
        case .headers(.any): return self.writeString(" HEADERS")
        case .headers(.messageID): return self.writeString(" HEADERS MSGID")
        case .headers(.range): return self.writeString(" HEADERS RANGE")
        case .distributionPatterns: return self.writeString(" DISTRIB.PATS")
        case .distributions: return self.writeString(" DISTRIBUTIONS")
        case .subscriptions: return self.writeString(" SUBSCRIPTIONS")
        case .messageOfTheDay: return self.writeString(" MOTD")
        }
    }
}

// MARK: - CustomDebugStringConvertible

extension NNTPCommand: CustomDebugStringConvertible {
    /// The wire form without CRLF; `AUTHINFO PASS` shows no password.
    public var debugDescription: String {
        if case .authinfoPass = self {
            return "AUTHINFO PASS <redacted>"
        }
        var buffer = ByteBuffer()
        buffer.writeNNTPCommand(self)
        // Drop the CRLF as bytes: as Characters it is a single grapheme.
        return String(decoding: buffer.readableBytesView.dropLast(2), as: UTF8.self)
    }
}
