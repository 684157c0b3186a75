import FuzzSupport
import NIOCore
import NNTPCore

/// libFuzzer target: the NNTP command parser (`NNTPCommandParser.parseCommand`).
///
/// The input is a client transcript; each line (LF-separated, a CR before it dropped) is one
/// command line. Properties, for every line:
/// - parsing never traps, from an array or from a `ByteBuffer`, and both give the same answer;
/// - a refusal is a `500` (unknown command) or a `501` (syntax error) with a hint;
/// - a parsed command written back with `writeNNTPCommand` is one CRLF-terminated line that
///   parses to the same command (and its debug description never shows a password);
/// - article numbers have at most 16 digits, message-ids are `<…>`;
/// - a wildmat matches without trapping, and one without special characters matches itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNNTPCommand(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    for line in FuzzInput.lines(FuzzInput.bytes(data, size)) {
        checkCommandLine(line)
    }
    return 0
}

private func checkCommandLine(_ line: [UInt8]) {
    let result = Result { () throws(NNTPParserError) -> NNTPCommand in try NNTPCommandParser.parseCommand(line) }
    let fromBuffer = Result { () throws(NNTPParserError) -> NNTPCommand in
        try NNTPCommandParser.parseCommand(ByteBuffer(bytes: line))
    }
    switch (result, fromBuffer) {
    case (.success(let command), .success(let other)):
        require(command == other, "array and ByteBuffer parse differ for \(describe(line))")
        checkRoundTrip(command, line: line)
        checkValues(command, line: line)
    case (.failure(let error), .failure(let other)):
        require(error.code == other.code, "array and ByteBuffer errors differ for \(describe(line))")
        require(
            error.code == .unknownCommand || error.code == .syntaxError,
            "unexpected error code \(error.code) for \(describe(line))"
        )
        require(!error.hint.isEmpty, "error without a hint for \(describe(line))")
    default:
        require(false, "array and ByteBuffer parse disagree for \(describe(line))")
    }
}

private func checkRoundTrip(_ command: NNTPCommand, line: [UInt8]) {
    var buffer = ByteBuffer()
    let written = buffer.writeNNTPCommand(command)
    require(written == buffer.readableBytes, "writeNNTPCommand size is wrong for \(describe(line))")
    let encoded = Array(buffer.readableBytesView)
    require(encoded.suffix(2) == [13, 10], "encoded command lacks its CRLF for \(describe(line))")
    let body = Array(encoded.dropLast(2))
    require(!body.contains(10), "encoded command has a LF inside for \(describe(line))")
    do {
        let again = try NNTPCommandParser.parseCommand(body)
        require(again == command, "round trip changed \(describe(line)) into \(describe(body))")
    } catch {
        require(false, "round trip of \(describe(line)) does not parse: \(describe(body)): \(error)")
    }
    if case .authinfoPass = command {
        require(
            command.debugDescription == "AUTHINFO PASS <redacted>",
            "debugDescription shows the password of \(describe(line))"
        )
    } else {
        require(command.debugDescription.utf8.elementsEqual(body), "debugDescription differs for \(describe(line))")
    }
}

private func checkValues(_ command: NNTPCommand, line: [UInt8]) {
    switch command {
    case .article(let selector), .head(let selector), .body(let selector), .stat(let selector):
        switch selector {
        case .current: break
        case .number(let number): checkArticleNumber(number, line: line)
        case .messageID(let id): checkMessageID(id, line: line)
        }
    case .over(let selector), .xover(let selector), .hdr(_, let selector), .xhdr(_, let selector):
        checkRangeSelector(selector, line: line)
    case .xpat(_, let selector, let pattern):
        checkRangeSelector(selector, line: line)
        checkWildmat(pattern, line: line)
    case .listGroup(_, let range):
        if let range { checkRange(range, line: line) }
    case .newNews(let wildmat, let dateTime):
        checkWildmat(wildmat, line: line)
        checkDateTime(dateTime, line: line)
    case .newGroups(let dateTime):
        checkDateTime(dateTime, line: line)
    case .list(.active(let wildmat?)), .list(.activeTimes(let wildmat?)), .list(.newsgroups(let wildmat?)),
        .list(.counts(let wildmat?)):
        checkWildmat(wildmat, line: line)
    default:
        break
    }
}

private func checkArticleNumber(_ number: Int64, line: [UInt8]) {
    require(number >= 0 && number < 10_000_000_000_000_000, "article number \(number) from \(describe(line))")
}

private func checkMessageID(_ id: String, line: [UInt8]) {
    require(
        id.utf8.first == UInt8(ascii: "<") && id.utf8.last == UInt8(ascii: ">"),
        "message-id from \(describe(line))"
    )
    require(id.utf8.count >= 3, "message-id too short from \(describe(line))")
}

private func checkRange(_ range: ArticleRange, line: [UInt8]) {
    checkArticleNumber(range.lowerBound, line: line)
    if let upper = range.upperBound { checkArticleNumber(upper, line: line) }
    if let clamped = range.closedRange(clampedTo: 1...1_000) {
        require(clamped.lowerBound >= 1 && clamped.upperBound <= 1_000, "clamped range from \(describe(line))")
    }
}

private func checkRangeSelector(_ selector: NNTPRangeSelector, line: [UInt8]) {
    switch selector {
    case .current: break
    case .range(let range): checkRange(range, line: line)
    case .messageID(let id): checkMessageID(id, line: line)
    }
}

private func checkDateTime(_ dateTime: NNTPDateTime, line: [UInt8]) {
    require((1...12).contains(dateTime.month), "month of \(describe(line))")
    require((1...31).contains(dateTime.day), "day of \(describe(line))")
    require(dateTime.hour <= 23 && dateTime.minute <= 59 && dateTime.second <= 60, "time of \(describe(line))")
    let seconds = dateTime.secondsSince1970(currentYear: 2026, utcOffsetSeconds: 3_600)
    let back = NNTPDateTime(secondsSince1970: seconds)
    require((1...12).contains(back.month), "date from seconds of \(describe(line))")
}

private func checkWildmat(_ wildmat: Wildmat, line: [UInt8]) {
    // The matcher on texts of the line's own making: the pattern, and the line itself.
    _ = wildmat.matches(wildmat.source)
    _ = wildmat.matches(String(decoding: line, as: UTF8.self))
    _ = wildmat.matches("comp.lang.swift")
    _ = wildmat.matches("")
    let special: Set<Unicode.Scalar> = ["*", "?", "[", "\\", ",", "!"]
    if !wildmat.source.unicodeScalars.contains(where: { special.contains($0) }) {
        require(wildmat.matches(wildmat.source), "wildmat \(describe(line)) does not match its own text")
    }
}
