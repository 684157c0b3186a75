import FuzzSupport
@testable import NewsArticle

/// libFuzzer target: the MIME and RFC 2047 decoders of NewsArticle.
///
/// One input is read several ways:
/// - as a header value: `EncodedWord.decode` (and, for text without CR/LF, the documented
///   round trip `decode(encodeUnstructured(text)) == text`, with words of at most 75 octets);
///   `ContentType(parsing:)`, whose `headerValue` parses back to the same type;
/// - its first line as a charset name (`Charset(name:)`), the rest decoded in that charset:
///   a single-byte charset gives one scalar per octet, UTF-8 keeps valid text as it is;
/// - as base64 and quoted-printable content (`TransferDecoding`): strict base64 re-encoded
///   decodes to the same octets, quoted-printable never grows;
/// - as an article (`ArticleText.plainText`) and as a lenient MIME entity (a body part read
///   with LF or CRLF lines), multipart, base64, quoted-printable, format=flowed and HTML
///   included (the text has LF line ends, no CR), then `authoredText` and `Mentions.chains`
///   over the text, and the attachments (`ArticleAttachment`) of the article.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIME(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput.bytes(data, size)
    let text = String(decoding: input, as: UTF8.self)
    checkEncodedWords(text)
    checkContentType(text)
    checkCharset(input)
    checkTransferDecoding(input)
    checkText(input)
    return 0
}

private func checkEncodedWords(_ text: String) {
    let decoded = EncodedWord.decode(text)
    if !text.contains("=?") {
        require(decoded == text, "text without an encoded word changed: \(text.debugDescription)")
    }
    // On octets: as Characters, "\r\n" is one grapheme that is neither "\r" nor "\n".
    for sample in [text, decoded] where !sample.utf8.contains(13) && !sample.utf8.contains(10) {
        let encoded = EncodedWord.encodeUnstructured(sample)
        for word in encoded.split(separator: " ") where word.hasPrefix("=?") {
            require(word.utf8.count <= EncodedWord.maximumWordLength, "encoded word too long: \(word)")
        }
        let back = EncodedWord.decode(encoded)
        require(back == sample, "encodeUnstructured round trip: \(sample.debugDescription) -> \(back.debugDescription)")
        _ = EncodedWord.decode(EncodedWord.encodePhrase(sample))
    }
}

private func checkContentType(_ text: String) {
    guard let type = ContentType(parsing: text) else {
        return
    }
    require(!type.type.isEmpty && !type.subtype.isEmpty, "empty type or subtype from \(text.debugDescription)")
    let written = type.headerValue
    guard let again = ContentType(parsing: written) else {
        require(false, "\(written.debugDescription) from \(text.debugDescription) does not parse")
        return
    }
    require(again.mediaType == type.mediaType, "media type changed: \(text.debugDescription)")
    for (name, value) in type.parameters where !name.isEmpty && !name.contains("*") {
        require(again.parameters[name] == value, "parameter \(name) changed: \(text.debugDescription)")
    }
    _ = type.charset.flatMap { Charset(name: $0.utf8) }
}

private func checkCharset(_ input: [UInt8]) {
    let newline = input.firstIndex(of: 10) ?? input.endIndex
    guard let charset = Charset(name: input[..<newline]) else {
        return
    }
    let content = input[min(newline + 1, input.endIndex)...]
    let decoded = charset.decode(content)
    switch charset {
    case .utf8:
        if let valid = String(validating: content, as: UTF8.self) {
            require(decoded == valid, "valid UTF-8 changed by decoding")
        }
    case .windows1252, .latin9:
        if content.contains(where: { $0 >= 0x80 }) {
            require(decoded.unicodeScalars.count == content.count, "single-byte charset: not one scalar per octet")
        }
    }
}

private func checkTransferDecoding(_ input: [UInt8]) {
    if let strict = TransferDecoding.base64(input, strict: true) {
        let encoded = TransferDecoding.base64Encode(strict)
        require(TransferDecoding.base64(encoded, strict: true) == strict, "base64 round trip")
    }
    _ = TransferDecoding.base64(input)
    let quoted = TransferDecoding.quotedPrintable(input)
    require(quoted.count <= input.count, "quoted-printable decoding grew")
}

private func checkText(_ input: [UInt8]) {
    if let article = try? Article(parsing: input) {
        let plain = ArticleText.plainText(of: article)
        _ = Mentions.chains(in: ArticleText.authoredText(plain))
        checkAttachments(article)
    }
    let entity = MIMEText.parsePart(input[...])
    let plain = MIMEText.text(of: entity)
    require(!plain.utf8.contains(13), "plain text with a CR: its line ends are LF")
    _ = Mentions.chains(in: ArticleText.authoredText(plain))
}

/// `ArticleAttachment.attachments(of:)`: never traps; a file name is never empty and carries no
/// control character; only text attachments have text; the size is the decoded bytes' count.
private func checkAttachments(_ article: Article) {
    _ = ArticleAttachment.bodyIsNotText(article)
    for (index, attachment) in ArticleAttachment.attachments(of: article).enumerated() {
        if let name = attachment.fileName {
            require(!name.isEmpty, "an empty file name")
            require(
                !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
                "a control character in the file name \(name.debugDescription)"
            )
        }
        require(attachment.text == nil || attachment.kind == .text, "text on a non-text attachment")
        require(attachment.size == attachment.bytes.count, "size is not the decoded bytes' count")
        require(!attachment.displayName(index: index).isEmpty, "an empty display name")
    }
}
