/// One part of a MIME article other than its body text: a file a newsreader attached
/// (Thunderbird's *Attach*, mutt, slrn and tin MIME), an inline image, a second text part.
///
/// ```
/// Content-Type: text/x-python; charset=UTF-8; name="fib.py"
/// Content-Disposition: attachment; filename="fib.py"
/// Content-Transfer-Encoding: base64
///
/// ZGVmIGZpYihuKToK...
/// ```
///
/// ``attachments(of:)`` walks the article the way ``ArticleText/plainText(of:)`` does and
/// returns every leaf part except the one that text came from and, inside a
/// `multipart/alternative`, the other text renderings of the same body (the HTML version of a
/// Thunderbird post). Nothing else is left out: a part FORLLM cannot read is still listed, with
/// its name, type and size.
/// - SeeAlso: [RFC 2045](https://datatracker.ietf.org/doc/html/rfc2045),
///   [RFC 2183](https://datatracker.ietf.org/doc/html/rfc2183) (Content-Disposition),
///   [RFC 2231](https://datatracker.ietf.org/doc/html/rfc2231) (`filename*=`, continuations)
public struct ArticleAttachment: Hashable, Sendable {
    /// What a reader of the part can do with it.
    public enum Kind: Hashable, Sendable {
        /// Text: a `text/*` part, a known text type (JSON, XML, YAML, shell, patches, ...), or
        /// `application/octet-stream` whose file name has a known text extension and whose bytes
        /// are valid UTF-8. ``ArticleAttachment/text`` holds it.
        case text
        /// A picture a model that can see takes as it is: PNG, JPEG, GIF or WebP
        /// (``ArticleAttachment/mediaType`` says which).
        case image
        /// Anything else (PDF, zip, audio, ...): known by name, type and size only.
        case other
    }

    /// The file name, from `Content-Disposition: ...; filename=` or else `Content-Type: ...;
    /// name=` (RFC 2231 extended values and continuations, RFC 2047 encoded words decoded; any
    /// directory part removed); `nil` when the part has none.
    public var fileName: String?
    /// The effective media type, lower-cased: as declared, except that an
    /// `application/octet-stream` image named `.png`, `.jpg`, ... gets its image type.
    public var mediaType: String
    public var kind: Kind
    /// The content with its Content-Transfer-Encoding (base64, quoted-printable) undone.
    public var bytes: [UInt8]
    /// The content as text for a ``Kind/text`` part: charset decoded (UTF-8 when unnamed or
    /// unknown, invalid bytes replaced), line ends LF; `nil` for other kinds.
    public var text: String?
    /// Whether `Content-Disposition` says `inline` (an image shown in the message).
    public var isInline: Bool

    /// The content's size in bytes (decoded).
    public var size: Int { self.bytes.count }

    /// The file name, or `part N (type)` for a part without one (`N` counts from 1 over the
    /// article's attachments); for messages to a reader or a model.
    public func displayName(index: Int) -> String {
        self.fileName ?? "part \(index + 1) (\(self.mediaType))"
    }

    public init(fileName: String?, mediaType: String, kind: Kind, bytes: [UInt8], text: String?, isInline: Bool) {
        self.fileName = fileName
        self.mediaType = mediaType
        self.kind = kind
        self.bytes = bytes
        self.text = text
        self.isInline = isInline
    }

    /// The article's attachments in the order they appear (see the type). A body that is one
    /// part (`text/plain`) has none; a body that is a lone image or PDF is one attachment.
    /// Malformed MIME degrades to what can be read, never throws.
    public static func attachments(of article: Article) -> [ArticleAttachment] {
        let root = MIMEEntity(
            contentType: article["Content-Type"].flatMap { ContentType(parsing: $0) },
            transferEncoding: article["Content-Transfer-Encoding"],
            body: article.body[...],
            contentTypeValue: article["Content-Type"],
            contentDisposition: article["Content-Disposition"]
        )
        guard root.contentType?.type == "multipart" else {
            // A one-part body: text is the body itself (what plainText reads); anything else
            // (a lone image, a PDF) is the one attachment. Most posts are one text part: known
            // without decoding the body.
            if (root.contentType ?? ContentType.defaultType).type == "text" { return [] }
            let attachment = Self.attachment(from: root)
            return attachment.kind == .text ? [] : [attachment]
        }
        let body = MIMEText.bodyPart(of: root)
        var attachments: [ArticleAttachment] = []
        Self.collect(root, depth: 0, inAlternative: false, body: body, into: &attachments)
        return attachments
    }

    /// Whether the article's body is one part that is not text: a lone image, a PDF. Its
    /// ``ArticleText/plainText(of:)`` is then not meant to be read.
    public static func bodyIsNotText(_ article: Article) -> Bool {
        guard let type = article["Content-Type"].flatMap({ ContentType(parsing: $0) }), type.type != "multipart" else {
            return false
        }
        return Self.attachments(of: article).first.map { $0.kind != .text } ?? false
    }

    // MARK: - Walking

    private static func collect(
        _ entity: MIMEEntity,
        depth: Int,
        inAlternative: Bool,
        body: MIMEEntity?,
        into attachments: inout [ArticleAttachment]
    ) {
        let type = entity.contentType ?? ContentType.defaultType
        if type.type == "multipart" {
            guard depth < MIMEText.maximumDepth, let boundary = type[parameter: "boundary"], !boundary.isEmpty else {
                return
            }
            let isAlternative = inAlternative || type.subtype == "alternative"
            for partBytes in MIMEText.splitMultipart(entity.body, boundary: Array(boundary.utf8)) {
                let part = MIMEText.parsePart(partBytes)
                Self.collect(part, depth: depth + 1, inAlternative: isAlternative, body: body, into: &attachments)
            }
            return
        }
        if let body, body.body.startIndex == entity.body.startIndex, body.body.endIndex == entity.body.endIndex {
            return
        }
        let attachment = Self.attachment(from: entity)
        // The HTML (or enriched) rendering of the body in a multipart/alternative is the same
        // message again, not a file.
        if inAlternative, type.type == "text", attachment.fileName == nil { return }
        attachments.append(attachment)
    }

    static func attachment(from entity: MIMEEntity) -> ArticleAttachment {
        let type = entity.contentType ?? ContentType.defaultType
        let disposition = entity.contentDisposition.map { MIMEParameters(parsing: $0) }
        let typeParameters = entity.contentTypeValue.map { MIMEParameters(parsing: $0) }
        let fileName = (disposition?.value(of: "filename") ?? typeParameters?.value(of: "name"))
            .flatMap(Self.cleanedFileName)
        let bytes = MIMEText.transferDecoded(entity)
        let isInline = disposition?.leadingValue.asciiLowercased() == "inline"
        var mediaType = type.mediaType
        let fileExtension = fileName.flatMap(Self.fileExtension)

        if Self.imageTypes.contains(mediaType) {
            return ArticleAttachment(
                fileName: fileName,
                mediaType: mediaType,
                kind: .image,
                bytes: bytes,
                text: nil,
                isInline: isInline
            )
        }
        if Self.isGeneric(mediaType), let fileExtension, let imageType = Self.imageExtensions[fileExtension] {
            mediaType = imageType
            return ArticleAttachment(
                fileName: fileName,
                mediaType: mediaType,
                kind: .image,
                bytes: bytes,
                text: nil,
                isInline: isInline
            )
        }
        if Self.isTextType(type) {
            return ArticleAttachment(
                fileName: fileName,
                mediaType: mediaType,
                kind: .text,
                bytes: bytes,
                text: Self.text(bytes, charset: type.charset),
                isInline: isInline
            )
        }
        if Self.isGeneric(mediaType), let fileExtension, Self.textExtensions.contains(fileExtension),
            Self.isValidUTF8(bytes)
        {
            return ArticleAttachment(
                fileName: fileName,
                mediaType: mediaType,
                kind: .text,
                bytes: bytes,
                text: Self.text(bytes, charset: nil),
                isInline: isInline
            )
        }
        return ArticleAttachment(
            fileName: fileName,
            mediaType: mediaType,
            kind: .other,
            bytes: bytes,
            text: nil,
            isInline: isInline
        )
    }

    // MARK: - Types

    /// The image types vision models take (Ollama, OpenAI-compatible servers).
    public static let imageTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    private static let imageExtensions: [String: String] = [
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"
    ]

    /// Media types outside `text/*` whose content is text.
    private static let textMediaTypes: Set<String> = [
        "application/json", "application/ld+json", "application/x-ndjson", "application/xml", "application/yaml",
        "application/x-yaml", "application/toml", "application/x-toml", "application/javascript",
        "application/x-javascript", "application/ecmascript", "application/typescript", "application/x-sh",
        "application/x-shellscript", "application/x-csh", "application/x-python", "application/x-python-code",
        "application/x-ruby", "application/x-perl", "application/x-php", "application/sql", "application/x-sql",
        "application/x-patch", "application/x-diff", "application/csv", "application/x-tex", "application/x-latex",
        "application/x-httpd-php", "application/xhtml+xml", "application/x-subrip", "application/mbox",
        "application/x-desktop", "application/x-wine-extension-ini", "application/graphql", "message/rfc822",
        "message/news"
    ]

    /// File name extensions of text files (code, data, markup, configuration).
    private static let textExtensions: Set<String> = [
        "txt", "text", "md", "markdown", "rst", "adoc", "org", "tex", "csv", "tsv", "json", "jsonl", "ndjson",
        "yaml", "yml", "toml", "xml", "html", "htm", "xhtml", "css", "scss", "less", "svg", "js", "mjs", "cjs",
        "ts", "tsx", "jsx", "vue", "svelte", "py", "pyi", "rb", "pl", "pm", "php", "java", "kt", "kts", "scala",
        "groovy", "gradle", "swift", "m", "mm", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "cs", "fs",
        "go", "rs", "zig", "nim", "d", "dart", "lua", "r", "jl", "hs", "ml", "mli", "ex", "exs", "erl", "hrl",
        "clj", "cljs", "el", "lisp", "scm", "rkt", "sh", "bash", "zsh", "fish", "ksh", "ps1", "bat", "cmd",
        "sql", "patch", "diff", "log", "ini", "cfg", "conf", "properties", "env", "cmake", "mk", "makefile",
        "dockerfile", "tf", "hcl", "nix", "proto", "graphql", "gql", "srt", "vtt", "bib", "eml", "mbox", "asm",
        "s", "v", "sv", "vhd", "vhdl", "f", "f90", "pas", "ada", "adb", "ads", "cob", "awk", "sed", "vim"
    ]

    /// `application/octet-stream` and the like: the sender's client did not know the type.
    private static func isGeneric(_ mediaType: String) -> Bool {
        mediaType == "application/octet-stream" || mediaType == "application/x-unknown"
            || mediaType == "application/unknown" || mediaType == "binary/octet-stream"
    }

    private static func isTextType(_ type: ContentType) -> Bool {
        if type.type == "text" { return true }
        let mediaType = type.mediaType
        if Self.textMediaTypes.contains(mediaType) { return true }
        return type.type == "application" && (type.subtype.hasSuffix("+json") || type.subtype.hasSuffix("+xml"))
    }

    // MARK: - Names and text

    /// The last path component of `name` (a Windows client may send `C:\Users\a\b.txt`),
    /// without control characters; `nil` when nothing is left.
    private static func cleanedFileName(_ name: String) -> String? {
        var decoded = EncodedWord.decode(name)
        if let separator = decoded.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            decoded = String(decoded[decoded.index(after: separator)...])
        }
        let cleaned = String(decoded.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
            .trimmingASCIIWhitespace()
        return cleaned.isEmpty ? nil : cleaned
    }

    /// `py` for `fib.py`, `makefile` for `Makefile`, lower-cased.
    private static func fileExtension(_ name: String) -> String? {
        let lowercased = name.lowercased()
        guard let dot = lowercased.lastIndex(of: ".") else { return lowercased }
        let ext = lowercased[lowercased.index(after: dot)...]
        return ext.isEmpty ? nil : String(ext)
    }

    private static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                // NUL and most C0 controls do not occur in text files.
                if scalar.value < 0x20, scalar != "\n", scalar != "\r", scalar != "\t", scalar != "\u{0C}" {
                    return false
                }
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private static func text(_ bytes: [UInt8], charset: String?) -> String {
        let decoder = charset.flatMap { Charset(name: $0.utf8) } ?? .utf8
        var text = decoder.decode(bytes)
        if text.utf8.contains(ASCII.cr) {
            text = text.replacingCRLF()
        }
        return text
    }
}

// MARK: - MIME helpers

extension MIMEText {
    /// The entity ``text(of:)`` takes the body text from; `nil` when it reads none (a
    /// multipart without text, or a non-text body).
    static func bodyPart(of entity: MIMEEntity) -> MIMEEntity? {
        if let part = Self.firstPart(in: entity, mediaType: "text/plain", depth: 0) { return part }
        if let part = Self.firstPart(in: entity, mediaType: "text/html", depth: 0) { return part }
        return nil
    }

    /// The entity's content with its transfer encoding undone (7bit, 8bit and binary as is).
    static func transferDecoded(_ entity: MIMEEntity) -> [UInt8] {
        switch entity.transferEncoding?.trimmingASCIIWhitespace().asciiLowercased() ?? "7bit" {
        case "quoted-printable":
            return TransferDecoding.quotedPrintable(Array(entity.body))
        case "base64":
            return TransferDecoding.base64(entity.body) ?? []
        default:
            return Array(entity.body)
        }
    }
}

extension String {
    /// CRLF and lone CR as LF.
    fileprivate func replacingCRLF() -> String {
        var output = ""
        output.unicodeScalars.reserveCapacity(self.unicodeScalars.count)
        var previousCR = false
        for scalar in self.unicodeScalars {
            if scalar == "\r" {
                output.unicodeScalars.append("\n")
                previousCR = true
                continue
            }
            if !(scalar == "\n" && previousCR) { output.unicodeScalars.append(scalar) }
            previousCR = false
        }
        return output
    }
}
