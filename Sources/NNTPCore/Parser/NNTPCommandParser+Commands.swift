// MARK: - Commands

extension NNTPCommandParser {
    // quit-command = "QUIT"
    // help-command = "HELP"
    // date-command = "DATE"
    // last-command = "LAST"
    // next-command = "NEXT"
    // post-command = "POST"
    // starttls-command = "STARTTLS"   ; RFC 4642 §2.2
    static func parseNoArguments(
        _ command: NNTPCommand,
        _ arguments: inout Arguments
    ) throws(NNTPParserError) -> NNTPCommand {
        try arguments.expectEnd()
        return command
    }

    // capabilities-command = "CAPABILITIES" [WS keyword]
    static func parseCapabilities(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        let keyword = arguments.next().map(Self.uppercased)
        try arguments.expectEnd()
        return .capabilities(keyword: keyword)
    }

    // mode-reader-command = "MODE" WS "READER"
    static func parseMode(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        guard let variant = arguments.next() else {
            throw .syntax("MODE needs an argument")
        }
        guard Self.uppercased(variant) == "READER" else {
            throw .syntax("unknown MODE variant")
        }
        try arguments.expectEnd()
        return .modeReader
    }

    // group-command = "GROUP" WS newsgroup-name
    static func parseGroup(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        guard let name = arguments.next() else {
            throw .syntax("GROUP needs a newsgroup name")
        }
        try arguments.expectEnd()
        return .group(Self.string(name))
    }

    // listgroup-command = "LISTGROUP" [WS newsgroup-name [WS range]]
    static func parseListGroup(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        guard let name = arguments.next() else {
            return .listGroup(group: nil, range: nil)
        }
        guard let rangeBytes = arguments.next() else {
            return .listGroup(group: Self.string(name), range: nil)
        }
        let range = try self.parseRange(rangeBytes)
        try arguments.expectEnd()
        return .listGroup(group: Self.string(name), range: range)
    }

    // article-command = "ARTICLE" [WS article-ref]
    // head-command = "HEAD" [WS article-ref]
    // body-command = "BODY" [WS article-ref]
    // stat-command = "STAT" [WS article-ref]
    // article-ref = article-number / message-id
    static func parseArticleSelector(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPArticleSelector {
        guard let argument = arguments.next() else {
            return .current
        }
        try arguments.expectEnd()
        if argument.first == UInt8(ascii: "<") {
            return .messageID(try self.parseMessageID(argument))
        }
        return .number(try self.parseArticleNumber(argument))
    }

    // newgroups-command = "NEWGROUPS" WS date-time
    static func parseNewGroups(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        let dateTime = try self.parseDateTime(&arguments)
        // RFC 977 allowed a trailing distribution list; RFC 3977 dropped it. Accept and ignore it.
        if let distributions = arguments.next(), distributions.first != UInt8(ascii: "<") {
            throw .syntax("unexpected argument after the date and time")
        }
        try arguments.expectEnd()
        return .newGroups(dateTime)
    }

    // newnews-command = "NEWNEWS" WS wildmat WS date-time
    static func parseNewNews(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        guard let wildmatBytes = arguments.next() else {
            throw .syntax("NEWNEWS needs a wildmat, a date and a time")
        }
        let wildmat = try Wildmat(Self.string(wildmatBytes), syntax: .rfc3977)
        let dateTime = try self.parseDateTime(&arguments)
        if let distributions = arguments.next(), distributions.first != UInt8(ascii: "<") {
            throw .syntax("unexpected argument after the date and time")
        }
        try arguments.expectEnd()
        return .newNews(wildmat, dateTime)
    }

    // list-command = "LIST" [WS list-arguments]
    // list-arguments = "ACTIVE" [WS wildmat] / "ACTIVE.TIMES" [WS wildmat] / "NEWSGROUPS" [WS wildmat]
    //                / "OVERVIEW.FMT" / "HEADERS" [WS ("MSGID" / "RANGE")] / "DISTRIB.PATS"
    //                / "COUNTS" [WS wildmat] / "DISTRIBUTIONS" / "SUBSCRIPTIONS" / "MOTD"   ; RFC 6048
    static func parseList(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        guard let keywordBytes = arguments.next() else {
            return .list(.active(nil))
        }
        let keyword = Self.uppercased(keywordBytes)
        let variant: NNTPListVariant
        switch keyword {
        case "ACTIVE":
            variant = .active(try self.parseOptionalWildmat(&arguments))
        case "ACTIVE.TIMES":
            variant = .activeTimes(try self.parseOptionalWildmat(&arguments))
        case "NEWSGROUPS":
            variant = .newsgroups(try self.parseOptionalWildmat(&arguments))
        case "COUNTS":
            variant = .counts(try self.parseOptionalWildmat(&arguments))
        case "OVERVIEW.FMT":
            variant = .overviewFormat
        case "HEADERS":
            switch arguments.next().map(Self.uppercased) {
            case nil: variant = .headers(.any)
            case "MSGID": variant = .headers(.messageID)
            case "RANGE": variant = .headers(.range)
            case .some: throw .syntax("LIST HEADERS takes MSGID or RANGE")
            }
        case "DISTRIB.PATS":
            variant = .distributionPatterns
        case "DISTRIBUTIONS":
            variant = .distributions
        case "SUBSCRIPTIONS":
            variant = .subscriptions
        case "MOTD":
            variant = .messageOfTheDay
        default:
            throw .syntax("unknown LIST keyword")
        }
        try arguments.expectEnd()
        return .list(variant)
    }

    // over-command = "OVER" [WS range-ref]
    // xover-command = "XOVER" [WS range]          ; RFC 2980 §2.8
    static func parseOptionalRangeSelector(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPRangeSelector {
        guard let argument = arguments.next() else {
            return .current
        }
        try arguments.expectEnd()
        return try self.parseRangeSelector(argument)
    }

    // hdr-command = "HDR" WS header-meta-name [WS range-ref]
    // xhdr-command = "XHDR" WS header-name [WS (range / message-id)]   ; RFC 2980 §2.6
    static func parseHdr(_ arguments: inout Arguments, isXHDR: Bool) throws(NNTPParserError) -> NNTPCommand {
        guard let fieldBytes = arguments.next() else {
            throw .syntax("\(isXHDR ? "XHDR" : "HDR") needs a header name")
        }
        let field = try self.parseHeaderName(fieldBytes)
        let selector = try self.parseOptionalRangeSelector(&arguments)
        return isXHDR ? .xhdr(field: field, selector) : .hdr(field: field, selector)
    }

    // xpat-command = "XPAT" WS header-name WS (range / message-id) WS pat *(WS pat)   ; RFC 2980 §2.9
    static func parseXPat(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        guard let fieldBytes = arguments.next(), let selectorBytes = arguments.next() else {
            throw .syntax("XPAT needs a header name, a range or message-id, and a pattern")
        }
        let field = try self.parseHeaderName(fieldBytes)
        let selector = try self.parseRangeSelector(selectorBytes)
        var patterns: [String] = []
        while let pattern = arguments.next() {
            patterns.append(Self.string(pattern))
        }
        guard !patterns.isEmpty else {
            throw .syntax("XPAT needs a pattern")
        }
        let pattern = try Wildmat(patterns.joined(separator: " "), syntax: .uniwildmat)
        return .xpat(field: field, selector, pattern: pattern)
    }

    // authinfo-sasl-command / authinfo-user-command / authinfo-pass-command   ; RFC 4643 §2.3
    // authinfo-user-command = "AUTHINFO" WS "USER" WS user-pass
    // authinfo-pass-command = "AUTHINFO" WS "PASS" WS user-pass
    // user-pass = 1*user-pass-char   ; servers may accept spaces too (RFC 4643 §2.3.2)
    static func parseAuthinfo(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPCommand {
        guard let kindBytes = arguments.next() else {
            throw .syntax("AUTHINFO needs USER or PASS")
        }
        let kind = Self.uppercased(kindBytes)
        guard let value = arguments.rest() else {
            throw .syntax("AUTHINFO \(kind == "PASS" ? "PASS" : "USER") needs an argument")
        }
        switch kind {
        case "USER": return .authinfoUser(Self.string(value))
        case "PASS": return .authinfoPass(Self.string(value))
        default: throw .syntax("unsupported AUTHINFO variant")
        }
    }
}
