import FuzzSupport
import NIOCore
import SMTPCore

/// libFuzzer target: the SMTP command parser (`SMTPCommandParser.parseCommand`).
///
/// The input is a client transcript; each line (LF-separated, a CR before it dropped) is one
/// command line. Properties, for every line:
/// - parsing never traps, from an array or from a `ByteBuffer`, and both give the same answer;
/// - a line with a control character or invalid UTF-8 is refused as a syntax error;
/// - a parsed command written back with `writeSMTPCommand` is one CRLF-terminated line that
///   parses to the same command;
/// - a mailbox is `local@domain` with both parts non-empty, and its address is ASCII unless
///   the line was not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPCommand(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    for line in FuzzInput.lines(FuzzInput.bytes(data, size)) {
        checkCommandLine(line)
    }
    return 0
}

private func checkCommandLine(_ line: [UInt8]) {
    let result = Result { () throws(SMTPParserError) -> SMTPCommand in try SMTPCommandParser.parseCommand(line) }
    let fromBuffer = Result { () throws(SMTPParserError) -> SMTPCommand in
        try SMTPCommandParser.parseCommand(ByteBuffer(bytes: line))
    }
    let hasControl = line.contains { ($0 < 0x20 && $0 != 9) || $0 == 0x7F }
    let isUTF8 = String(validating: line, as: UTF8.self) != nil
    switch (result, fromBuffer) {
    case (.success(let command), .success(let other)):
        require(command == other, "array and ByteBuffer parse differ for \(describe(line))")
        require(!hasControl && isUTF8, "accepted a control character or invalid UTF-8: \(describe(line))")
        checkRoundTrip(command, line: line)
        checkValues(command, line: line)
    case (.failure(let error), .failure(let other)):
        require(error.code == other.code, "array and ByteBuffer errors differ for \(describe(line))")
        require(!error.hint.isEmpty, "error without a hint for \(describe(line))")
        if hasControl || !isUTF8 {
            require(error.code == .syntaxError, "a control character or invalid UTF-8 not a 501: \(describe(line))")
        }
    default:
        require(false, "array and ByteBuffer parse disagree for \(describe(line))")
    }
}

private func checkRoundTrip(_ command: SMTPCommand, line: [UInt8]) {
    var buffer = ByteBuffer()
    let written = buffer.writeSMTPCommand(command)
    require(written == buffer.readableBytes, "writeSMTPCommand size is wrong for \(describe(line))")
    let encoded = Array(buffer.readableBytesView)
    require(encoded.suffix(2) == [13, 10], "encoded command lacks its CRLF for \(describe(line))")
    let body = Array(encoded.dropLast(2))
    require(!body.contains(10) && !body.contains(13), "encoded command has a line end inside for \(describe(line))")
    do {
        let again = try SMTPCommandParser.parseCommand(body)
        require(again == command, "round trip changed \(describe(line)) into \(describe(body))")
    } catch {
        require(false, "round trip of \(describe(line)) does not parse: \(describe(body)): \(error)")
    }
    require(command.debugDescription.utf8.elementsEqual(body), "debugDescription differs for \(describe(line))")
}

private func checkValues(_ command: SMTPCommand, line: [UInt8]) {
    switch command {
    case .mail(.mailbox(let mailbox), _), .rcpt(.mailbox(let mailbox)):
        require(!mailbox.localPart.isEmpty || mailbox.address.hasPrefix("\"\""), "empty local part: \(describe(line))")
        require(!mailbox.domain.isEmpty, "empty domain: \(describe(line))")
        require(mailbox.address.hasSuffix("@" + mailbox.domain), "address not ending in @domain: \(describe(line))")
        if line.allSatisfy({ $0 < 0x80 }) {
            require(mailbox.isASCII, "non-ASCII address from an ASCII line: \(describe(line))")
        }
    case .mail(.null, let parameters):
        require(parameters.size.map { $0 >= 0 } ?? true, "negative SIZE: \(describe(line))")
    case .ehlo(let domain), .helo(let domain), .vrfy(let domain), .expn(let domain):
        require(!domain.isEmpty, "empty argument: \(describe(line))")
    default:
        break
    }
    if case .mail(_, let parameters) = command {
        require(parameters.size.map { $0 >= 0 } ?? true, "negative SIZE: \(describe(line))")
    }
}
