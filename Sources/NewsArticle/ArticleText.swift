/// An article body as text a person (or a model) reads.
public enum ArticleText {
    /// The body as text with LF line ends: Content-Transfer-Encoding (7bit, 8bit, binary,
    /// quoted-printable, base64) and charset (UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15,
    /// Windows-1252; unknown → UTF-8 with replacement) decoded; for `multipart/*`, the first
    /// `text/plain` part (recursively; failing that, the first `text/html` part with its tags
    /// removed); `format=flowed` (RFC 3676, with DelSp) joined back into paragraphs and
    /// space-unstuffed; quoted flowed lines come out as `> text`. The line break after the last
    /// line is not included. Invalid input degrades to best effort, never throws.
    public static func plainText(of article: Article) -> String {
        let entity = MIMEEntity(
            contentType: article["Content-Type"].flatMap { ContentType(parsing: $0) },
            transferEncoding: article["Content-Transfer-Encoding"],
            body: article.body[...]
        )
        return MIMEText.text(of: entity)
    }

    /// `text` without what was not written by the author of this article: quoted lines
    /// (starting with `>`, after optional spaces), a one-line attribution directly above a
    /// quote block ("X wrote:", "On ..., X wrote:", "X schrieb:"; blank lines between it and
    /// the quote allowed), and the signature (from the last line that is exactly `-- ` to the
    /// end). Runs of blank lines collapse to one; leading and trailing blank lines are removed.
    public static func authoredText(_ text: String) -> String {
        var lines = splitLines(text[...])
        if let signature = lines.lastIndex(of: "-- ") {
            lines.removeSubrange(signature...)
        }
        let isQuoted = lines.map { line in line.drop { $0 == " " || $0 == "\t" }.first == ">" }
        let isBlank = lines.map { $0.utf8.allSatisfy(\.isWSP) }
        var keep = [Bool](repeating: true, count: lines.count)
        for index in lines.indices {
            if isQuoted[index] {
                keep[index] = false
                continue
            }
            guard !isBlank[index], Self.looksLikeAttribution(lines[index]) else { continue }
            var next = index + 1
            while next < lines.count, isBlank[next] { next += 1 }
            if next < lines.count, isQuoted[next] { keep[index] = false }
        }
        var output: [Substring] = []
        var previousBlank = true  // drops leading blank lines
        for index in lines.indices where keep[index] {
            if isBlank[index] {
                if !previousBlank { output.append("") }
                previousBlank = true
            } else {
                output.append(lines[index])
                previousBlank = false
            }
        }
        while output.last == "" { output.removeLast() }
        return output.joined(separator: "\n")
    }

    private static let attributionWords = [
        "wrote", "writes", "schrieb", "said", "says", "a écrit", "skrev", "escribió", "scripsit", "schreef",
        "ha scritto", "kirjoitti", "napisał", "написал"
    ]

    /// A line ending in `:` that names writing: "Alice wrote:", "Am …, schrieb Bob:".
    private static func looksLikeAttribution(_ line: Substring) -> Bool {
        let trimmed = line.trimmingASCIIWhitespace()
        guard trimmed.utf8.last == ASCII.colon, trimmed.utf8.count <= 300 else { return false }
        let lowercased = trimmed.lowercased()
        return Self.attributionWords.contains { lowercased.contains($0) }
    }
}

// MARK: - MIME

/// A MIME entity: the article itself or one body part.
struct MIMEEntity {
    var contentType: ContentType?
    var transferEncoding: String?
    var body: ArraySlice<UInt8>
    /// The raw `Content-Type` and `Content-Disposition` values, for ``ArticleAttachment``'s
    /// file names (RFC 2231 continuations).
    var contentTypeValue: String? = nil
    var contentDisposition: String? = nil
}

/// The text extraction of ``ArticleText/plainText(of:)``.
enum MIMEText {
    /// Nesting deeper than this is not followed (a hostile article could nest without end).
    static let maximumDepth = 8

    static func text(of entity: MIMEEntity) -> String {
        if let part = Self.firstPart(in: entity, mediaType: "text/plain", depth: 0) {
            return Self.decodedText(part)
        }
        if let part = Self.firstPart(in: entity, mediaType: "text/html", depth: 0) {
            return HTMLText.strip(Self.decodedText(part))
        }
        // No text at all (a lone attachment): the body as UTF-8, best effort.
        if entity.contentType?.type == "multipart" { return "" }
        return Self.decodedText(entity)
    }

    /// The first entity of `mediaType`, depth first; a part without `Content-Type` is
    /// `text/plain`.
    static func firstPart(in entity: MIMEEntity, mediaType: String, depth: Int) -> MIMEEntity? {
        let type = entity.contentType ?? ContentType.defaultType
        if type.type == "multipart" {
            guard depth < Self.maximumDepth, let boundary = type[parameter: "boundary"], !boundary.isEmpty else {
                return nil
            }
            for partBytes in Self.splitMultipart(entity.body, boundary: Array(boundary.utf8)) {
                let part = Self.parsePart(partBytes)
                if let found = Self.firstPart(in: part, mediaType: mediaType, depth: depth + 1) { return found }
            }
            return nil
        }
        return type.mediaType == mediaType ? entity : nil
    }

    /// The entity's content: transfer encoding undone, charset decoded, CRLF → LF, flowed
    /// lines joined, the final line break dropped.
    static func decodedText(_ entity: MIMEEntity) -> String {
        let encoding = entity.transferEncoding?.trimmingASCIIWhitespace().asciiLowercased() ?? "7bit"
        var bytes: [UInt8]
        switch encoding {
        case "quoted-printable":
            bytes = TransferDecoding.quotedPrintable(Array(entity.body))
        case "base64":
            bytes = TransferDecoding.base64(entity.body) ?? []
        default:
            bytes = Array(entity.body)
        }
        let type = entity.contentType ?? ContentType.defaultType
        let charset = type.charset.flatMap { Charset(name: $0.utf8) } ?? .utf8
        bytes = Self.normalizingLineEnds(bytes)
        if bytes.last == ASCII.lf { bytes.removeLast() }
        if type[parameter: "format"]?.asciiLowercased() == "flowed" {
            let delSp = type[parameter: "delsp"]?.asciiLowercased() == "yes"
            bytes = Flowed.unflow(bytes, delSp: delSp)
        }
        return charset.decode(bytes)
    }

    /// CRLF (and a lone CR) become LF.
    private static func normalizingLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(ASCII.cr) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.cr {
                output.append(ASCII.lf)
                if index + 1 < bytes.count, bytes[index + 1] == ASCII.lf { index += 1 }
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    /// The body parts between `--boundary` lines (RFC 2046 §5.1.1); the line break before a
    /// delimiter belongs to it. A missing close delimiter ends the last part at the end.
    static func splitMultipart(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        var delimiter: [UInt8] = [ASCII.minus, ASCII.minus]
        delimiter.append(contentsOf: boundary)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineFeed = body[lineStart...].firstIndex(of: ASCII.lf) ?? body.endIndex
            let line = body[lineStart..<lineFeed]
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let isClose = rest.starts(with: [ASCII.minus, ASCII.minus])
                if isClose || rest.allSatisfy(\.isASCIIWhitespace) {
                    if let start = partStart {
                        var end = lineStart
                        if end > start, body[end - 1] == ASCII.lf { end -= 1 }
                        if end > start, body[end - 1] == ASCII.cr { end -= 1 }
                        parts.append(body[start..<max(start, end)])
                    }
                    if isClose { return parts }
                    partStart = min(lineFeed + 1, body.endIndex)
                }
            }
            lineStart = lineFeed + 1
        }
        if let start = partStart, start < body.endIndex { parts.append(body[start...]) }
        return parts
    }

    /// A body part: its header lines (CRLF or LF, folded or not) up to an empty line, then
    /// its content. Only the MIME fields are read.
    static func parsePart(_ bytes: ArraySlice<UInt8>) -> MIMEEntity {
        var contentType: ContentType?
        var contentTypeValue: String?
        var contentDisposition: String?
        var transferEncoding: String?
        var fieldLines: [UInt8] = []
        var bodyStart = bytes.endIndex
        var lineStart = bytes.startIndex

        func finishField() {
            defer { fieldLines.removeAll(keepingCapacity: true) }
            guard let colon = fieldLines.firstIndex(of: ASCII.colon) else { return }
            let name = fieldLines[..<colon]
            let value = String(decoding: fieldLines[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
            if asciiCaseInsensitiveEqual(name, "Content-Type".utf8) {
                contentType = ContentType(parsing: value)
                contentTypeValue = value
            } else if asciiCaseInsensitiveEqual(name, "Content-Transfer-Encoding".utf8) {
                transferEncoding = value
            } else if asciiCaseInsensitiveEqual(name, "Content-Disposition".utf8) {
                contentDisposition = value
            }
        }

        while lineStart < bytes.endIndex {
            let lineFeed = bytes[lineStart...].firstIndex(of: ASCII.lf) ?? bytes.endIndex
            var line = bytes[lineStart..<lineFeed]
            if line.last == ASCII.cr { line = line.dropLast() }
            if line.isEmpty {
                bodyStart = min(lineFeed + 1, bytes.endIndex)
                break
            }
            if let first = line.first, first.isWSP {
                fieldLines.append(contentsOf: line)
            } else {
                finishField()
                fieldLines.append(contentsOf: line)
            }
            lineStart = lineFeed + 1
        }
        finishField()
        return MIMEEntity(
            contentType: contentType,
            transferEncoding: transferEncoding,
            body: bytes[bodyStart...],
            contentTypeValue: contentTypeValue,
            contentDisposition: contentDisposition
        )
    }
}

// MARK: - format=flowed, reading

enum Flowed {
    /// Joins flowed lines (RFC 3676 §4.2): quote depth counted and removed, space-unstuffed,
    /// a line ending in SP continues on the next line of the same depth (its trailing SP
    /// removed with DelSp=yes), `-- ` is never flowed. Quoted paragraphs are written back with
    /// `>` marks and one space.
    static func unflow(_ bytes: [UInt8], delSp: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var isFirstLine = true
        var paragraphOpen = false
        var paragraphDepth = 0
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineFeed = bytes[lineStart...].firstIndex(of: ASCII.lf) ?? bytes.count
            var index = lineStart
            var depth = 0
            while index < lineFeed, bytes[index] == ASCII.greater {
                depth += 1
                index += 1
            }
            // Space-stuffing (§4.4): one leading space is not content.
            if index < lineFeed, bytes[index] == ASCII.space { index += 1 }
            var content = bytes[index..<lineFeed]
            let isSignature = content.elementsEqual([ASCII.minus, ASCII.minus, ASCII.space])
            let isFlowed = !isSignature && content.last == ASCII.space
            if isFlowed && delSp { content = content.dropLast() }

            if !(paragraphOpen && depth == paragraphDepth && !isSignature) {
                // A flowed line that nothing continues keeps no trailing space.
                if paragraphOpen && !delSp { while output.last == ASCII.space { output.removeLast() } }
                if !isFirstLine { output.append(ASCII.lf) }
                isFirstLine = false
                if depth > 0 {
                    output.append(contentsOf: repeatElement(ASCII.greater, count: depth))
                    if !content.isEmpty { output.append(ASCII.space) }
                }
                paragraphDepth = depth
            }
            output.append(contentsOf: content)
            paragraphOpen = isFlowed
            lineStart = lineFeed + 1
        }
        if paragraphOpen && !delSp { while output.last == ASCII.space { output.removeLast() } }
        return output
    }
}

// MARK: - HTML, as a last resort

enum HTMLText {
    /// Tags removed, `script` and `style` contents dropped, line breaks for `br`, `p`, `div`,
    /// `li` and `tr`, the common entities decoded. Good enough for a reader's HTML-only post.
    static func strip(_ html: String) -> String {
        var output = ""
        var scalars = html.unicodeScalars[...]
        var skipUntil: String?
        while let scalar = scalars.first {
            if scalar == "<" {
                guard let close = scalars.firstIndex(of: ">") else { break }
                let tag = String(scalars[scalars.index(after: scalars.startIndex)..<close]).lowercased()
                scalars = scalars[scalars.index(after: close)...]
                let name = String(tag.prefix { $0.isLetter || $0 == "/" })
                if let end = skipUntil {
                    if name == end { skipUntil = nil }
                    continue
                }
                switch name {
                case "script", "style": skipUntil = "/" + name
                case "br", "p", "/p", "div", "/div", "li", "tr", "/tr", "/h1", "/h2", "/h3", "blockquote",
                    "/blockquote":
                    output += "\n"
                default: break
                }
                continue
            }
            scalars = scalars.dropFirst()
            if skipUntil != nil { continue }
            if scalar == "&", let semicolon = scalars.prefix(10).firstIndex(of: ";") {
                let entity = String(scalars[..<semicolon])
                if let decoded = Self.entity(entity) {
                    output += decoded
                    scalars = scalars[scalars.index(after: semicolon)...]
                    continue
                }
            }
            switch scalar {
            case "\r": output.unicodeScalars.append("\n")
            case "\u{A0}": output.unicodeScalars.append(" ")
            default: output.unicodeScalars.append(scalar)
            }
        }
        return Self.collapsingBlankLines(output)
    }

    /// Lines trimmed, runs of blank lines (which block tags leave behind) collapsed to one.
    private static func collapsingBlankLines(_ text: String) -> String {
        var output: [Substring] = []
        var previousBlank = true
        for line in splitLines(text[...]) {
            let trimmed = line.trimmingASCIIWhitespace()
            if trimmed.isEmpty {
                if !previousBlank { output.append("") }
                previousBlank = true
            } else {
                output.append(trimmed)
                previousBlank = false
            }
        }
        while output.last == "" { output.removeLast() }
        return output.joined(separator: "\n")
    }

    private static func entity(_ name: String) -> String? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos", "#39": return "'"
        case "nbsp": return " "
        default:
            var digits = Substring(name)
            guard digits.first == "#" else { return nil }
            digits = digits.dropFirst()
            let value: UInt32?
            if digits.first == "x" || digits.first == "X" {
                value = UInt32(digits.dropFirst(), radix: 16)
            } else {
                value = UInt32(digits)
            }
            guard let scalar = value.flatMap(Unicode.Scalar.init) else { return nil }
            // A control character (`&#13;`, `&#0;`) is white space in a page; in the text it
            // would break the rule that lines end in LF alone.
            if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) {
                return scalar == "\n" || scalar == "\t" ? String(scalar) : " "
            }
            return String(scalar)
        }
    }
}
