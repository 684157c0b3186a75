// MARK: - Parsing the wire form

/// The header/body split of ``Article/init(parsing:)``: one pass over the header section,
/// octet by octet, then the body as one slice.
enum ArticleParser {
    struct Result {
        var fields: [HeaderField]
        var body: [UInt8]
    }

    // header-section = *(field-name ":" unstructured CRLF *(WSP unstructured CRLF)) CRLF
    static func parse(_ bytes: [UInt8]) throws(ArticleError) -> Result {
        var fields: [HeaderField] = []
        fields.reserveCapacity(16)
        let count = bytes.count
        var lineNumber = 0
        var lineStart = 0
        // The field being collected: where it starts and where its colon is.
        var fieldStart = -1
        var fieldColon = -1
        var fieldEnd = -1

        func finishField() {
            if fieldStart >= 0 {
                let raw = Array(bytes[fieldStart..<fieldEnd])
                fields.append(HeaderField(validatedRaw: raw, colon: fieldColon - fieldStart))
                fieldStart = -1
            }
        }

        while lineStart < count {
            lineNumber += 1
            // Find the end of the line, refusing bare CR, bare LF and NUL on the way.
            var index = lineStart
            var lineEnd = count
            var next = count
            while index < count {
                let byte = bytes[index]
                if byte == ASCII.cr {
                    guard index + 1 < count, bytes[index + 1] == ASCII.lf else {
                        throw ArticleError(.malformedHeader, "line \(lineNumber): bare CR in the header section")
                    }
                    lineEnd = index
                    next = index + 2
                    break
                } else if byte == ASCII.lf {
                    throw ArticleError(.malformedHeader, "line \(lineNumber): bare LF in the header section")
                } else if byte == ASCII.nul {
                    throw ArticleError(.malformedHeader, "line \(lineNumber): NUL in the header section")
                }
                index += 1
            }

            if lineEnd == lineStart {
                // The empty line (a line can only be empty when it ends in CRLF): the body follows.
                finishField()
                return Result(fields: fields, body: Array(bytes[next...]))
            }

            if bytes[lineStart].isWSP {
                guard fieldStart >= 0 else {
                    throw ArticleError(
                        .malformedHeader,
                        "line \(lineNumber): continuation line before the first header field"
                    )
                }
                fieldEnd = lineEnd
            } else {
                finishField()
                guard let colon = bytes[lineStart..<lineEnd].firstIndex(of: ASCII.colon) else {
                    let text = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
                    throw ArticleError(
                        .malformedHeader,
                        "line \(lineNumber): header line without a colon: \(text.quotedForMessage())"
                    )
                }
                guard HeaderField.isValidName(bytes[lineStart..<colon]) else {
                    let text = String(decoding: bytes[lineStart..<colon], as: UTF8.self)
                    throw ArticleError(
                        .malformedHeader,
                        "line \(lineNumber): invalid header field name \(text.quotedForMessage())"
                    )
                }
                fieldStart = lineStart
                fieldColon = colon
                fieldEnd = lineEnd
            }
            lineStart = next
        }
        // No empty line: the whole input was the header section.
        finishField()
        return Result(fields: fields, body: [])
    }
}
