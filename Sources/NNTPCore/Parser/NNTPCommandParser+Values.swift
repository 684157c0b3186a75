// MARK: - Argument values

extension NNTPCommandParser {
    // article-number = 1*16DIGIT
    //
    // More than 16 digits is a syntax error (501), found here, before any command's state
    // check (412 without a group) is made, as INN does; 16 digits always fit an Int64, and
    // the digits are accumulated with overflow checks all the same, so no argument can trap.
    static func parseArticleNumber(_ bytes: ArraySlice<UInt8>) throws(NNTPParserError) -> Int64 {
        guard !bytes.isEmpty else {
            throw .syntax("missing article number")
        }
        guard bytes.count <= NNTPDefaults.articleNumberDigitLimit else {
            throw .syntax("an article number has at most \(NNTPDefaults.articleNumberDigitLimit) digits")
        }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw .syntax("article number must be digits")
            }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else {
                throw .syntax("article number too large")
            }
            value = sum
        }
        return value
    }

    // range = article-number ["-" [article-number]]
    static func parseRange(_ bytes: ArraySlice<UInt8>) throws(NNTPParserError) -> ArticleRange {
        guard let dash = bytes.firstIndex(of: UInt8(ascii: "-")) else {
            return .single(try self.parseArticleNumber(bytes))
        }
        let low = try self.parseArticleNumber(bytes[bytes.startIndex..<dash])
        let highBytes = bytes[(dash + 1)...]
        if highBytes.isEmpty {
            return .from(low)
        }
        return .between(low, try self.parseArticleNumber(highBytes))
    }

    // range-ref = range / message-id
    static func parseRangeSelector(_ bytes: ArraySlice<UInt8>) throws(NNTPParserError) -> NNTPRangeSelector {
        if bytes.first == UInt8(ascii: "<") {
            return .messageID(try self.parseMessageID(bytes))
        }
        return .range(try self.parseRange(bytes))
    }

    // message-id = "<" 1*248A-NOTGT ">"
    // A-NOTGT = %x21-3D / %x3F-7E   ; exclude ">"
    static func parseMessageID(_ bytes: ArraySlice<UInt8>) throws(NNTPParserError) -> String {
        guard bytes.count >= 3, bytes.count <= NNTPDefaults.messageIDLengthLimit,
            bytes.first == UInt8(ascii: "<"), bytes.last == UInt8(ascii: ">")
        else {
            throw .syntax("invalid message-id")
        }
        for byte in bytes.dropFirst().dropLast() {
            guard byte >= 0x21, byte <= 0x7E, byte != UInt8(ascii: ">") else {
                throw .syntax("invalid message-id")
            }
        }
        return Self.string(bytes)
    }

    // header-meta-name = header-name / metadata-name
    // header-name = 1*A-NOTCOLON
    // metadata-name = ":" 1*A-NOTCOLON
    // A-NOTCOLON = %x21-39 / %x3B-7E   ; exclude ":"
    static func parseHeaderName(_ bytes: ArraySlice<UInt8>) throws(NNTPParserError) -> String {
        var body = bytes
        if body.first == UInt8(ascii: ":") {
            body = body.dropFirst()
        }
        // Some clients write the field with its colon (`XHDR Subject:`); accept that.
        if body.last == UInt8(ascii: ":") {
            body = body.dropLast()
        }
        guard !body.isEmpty, body.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: ":") }) else {
            throw .syntax("invalid header name")
        }
        let isMetadata = bytes.first == UInt8(ascii: ":")
        return (isMetadata ? ":" : "") + Self.lowercased(body)
    }

    // wildmat (RFC 3977 §4.1), optional
    static func parseOptionalWildmat(_ arguments: inout Arguments) throws(NNTPParserError) -> Wildmat? {
        guard let bytes = arguments.next() else {
            return nil
        }
        return try Wildmat(Self.string(bytes), syntax: .rfc3977)
    }

    // date-time = date WS time [WS "GMT"]
    // date = date4y / date2y
    // date4y = 4DIGIT 2DIGIT 2DIGIT
    // date2y = 2DIGIT 2DIGIT 2DIGIT
    // time = 2DIGIT 2DIGIT 2DIGIT
    static func parseDateTime(_ arguments: inout Arguments) throws(NNTPParserError) -> NNTPDateTime {
        guard let dateBytes = arguments.next(), let timeBytes = arguments.next() else {
            throw .syntax("expected a date and a time")
        }
        guard dateBytes.count == 6 || dateBytes.count == 8, timeBytes.count == 6 else {
            throw .syntax("date must be yymmdd or yyyymmdd and time hhmmss")
        }
        let date = try self.parseDigits(dateBytes)
        let time = try self.parseDigits(timeBytes)
        let hasTwoDigitYear = dateBytes.count == 6
        let year = date / 10_000
        let month = date / 100 % 100
        let day = date % 100
        let hour = time / 10_000
        let minute = time / 100 % 100
        let second = time % 100
        // For a two-digit year the leap rule of 2000 applies; it is right for 1901–2099.
        let daysInMonth = NNTPDateTime.daysInMonth(month, year: hasTwoDigitYear ? 2000 + year : year)
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth else {
            throw .syntax("invalid date")
        }
        guard hour <= 23, minute <= 59, second <= 60 else {
            throw .syntax("invalid time")
        }
        var isGMT = false
        var lookahead = arguments
        if let zone = lookahead.next(), Self.uppercased(zone) == "GMT" {
            isGMT = true
            arguments = lookahead
        }
        return NNTPDateTime(
            year: year,
            hasTwoDigitYear: hasTwoDigitYear,
            month: month,
            day: day,
            hour: hour,
            minute: minute,
            second: second,
            isGMT: isGMT
        )
    }

    /// At most 8 digits, so the value always fits.
    private static func parseDigits(_ bytes: ArraySlice<UInt8>) throws(NNTPParserError) -> Int {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw .syntax("date and time must be digits")
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
