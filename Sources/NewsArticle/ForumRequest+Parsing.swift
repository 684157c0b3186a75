// MARK: - Parsing X-FORLLM-Request

/// The parser of ``ForumRequest/init(parsing:)``: a value is split at `;` and `,` outside
/// quoted strings, then each part is read as a name or a `key=value` parameter.
enum ForumRequestParser {
    private static let header = ForumRequest.headerName

    /// A part of the value between separators, with its quoted strings resolved.
    private struct Part {
        /// The text with quotes removed and white space collapsed.
        var text: String
        /// Whether the whole part was one quoted string.
        var isQuoted: Bool
        /// The part as written, trimmed, for messages.
        var raw: String
    }

    // request := who *( ";" param )
    static func parse(_ value: String) throws(ArticleError) -> ForumRequest {
        let bytes = Array(value.utf8)
        if bytes[...].trimmingASCIIWhitespace().isEmpty {
            throw ArticleError(.invalidRequest, "\(Self.header) is empty")
        }
        let sections = try Self.split(bytes[...], at: ASCII.semicolon, whole: value)
        let who = try Self.parseWho(sections[0], whole: value)
        var model: String?
        var backend: String?
        var task: ForumTask?
        for section in sections.dropFirst() {
            let trimmed = section.trimmingASCIIWhitespace()
            if trimmed.isEmpty { continue }
            // param := ("model" | "backend" | "task") "=" (token | quoted-string)
            let equals = Self.firstUnquoted(ASCII.equals, in: trimmed)
            let keyBytes = trimmed[trimmed.startIndex..<(equals ?? trimmed.endIndex)].trimmingASCIIWhitespace()
            let key = String(decoding: keyBytes, as: UTF8.self)
            let lowercasedKey = key.asciiLowercased()
            guard lowercasedKey == "model" || lowercasedKey == "backend" || lowercasedKey == "task" else {
                throw ArticleError(.invalidRequest, "\(Self.header): unknown parameter \(key.quotedForMessage())")
            }
            guard let equals else {
                throw ArticleError(.invalidRequest, "\(Self.header): parameter '\(lowercasedKey)' has no value")
            }
            let part = try Self.part(trimmed[(equals + 1)...], whole: value)
            guard !part.text.isEmpty else {
                throw ArticleError(.invalidRequest, "\(Self.header): parameter '\(lowercasedKey)' has no value")
            }
            if lowercasedKey == "task" {
                guard task == nil else {
                    throw ArticleError(.invalidRequest, "\(Self.header): parameter 'task' given twice")
                }
                guard let value = ForumTask(rawValue: part.text.asciiLowercased()) else {
                    let allowed = ForumTask.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ArticleError(
                        .invalidRequest,
                        "\(Self.header): unknown task \(part.text.quotedForMessage()) (allowed: \(allowed))"
                    )
                }
                task = value
            } else if lowercasedKey == "model" {
                guard model == nil else {
                    throw ArticleError(.invalidRequest, "\(Self.header): parameter 'model' given twice")
                }
                model = part.text
            } else {
                guard backend == nil else {
                    throw ArticleError(.invalidRequest, "\(Self.header): parameter 'backend' given twice")
                }
                backend = part.text
            }
        }
        if who == .regenerate, task != nil {
            throw ArticleError(
                .invalidRequest,
                "\(Self.header): 'regenerate' takes no task (the new answer does what the old one did)"
            )
        }
        return ForumRequest(who: who, model: model, backend: backend, task: task)
    }

    // who := "default" | "none" | "regenerate" | name *( "," name )
    private static func parseWho(_ section: ArraySlice<UInt8>, whole: String) throws(ArticleError) -> ForumRequest.Who {
        let items = try Self.split(section, at: ASCII.comma, whole: whole)
        var parts: [Part] = []
        for item in items {
            let part = try Self.part(item, whole: whole)
            guard !part.text.isEmpty else {
                let message = items.count == 1 ? "no name before ';'" : "empty name in \(whole.quotedForMessage())"
                throw ArticleError(.invalidRequest, "\(Self.header): \(message)")
            }
            parts.append(part)
        }
        for part in parts where !part.isQuoted {
            let keyword = part.text.asciiLowercased()
            let who: ForumRequest.Who
            switch keyword {
            case "default": who = .defaultPersona
            case "none": who = .none
            case "regenerate": who = .regenerate
            default: continue
            }
            guard parts.count == 1 else {
                throw ArticleError(.invalidRequest, "\(Self.header): '\(keyword)' cannot be combined with other names")
            }
            return who
        }
        var names: [String] = []
        for part in parts where !names.contains(where: { $0.lowercased() == part.text.lowercased() }) {
            names.append(part.text)
        }
        return .personas(names)
    }

    /// `bytes` split at `separator` outside quoted strings. Throws for an unterminated quote.
    private static func split(
        _ bytes: ArraySlice<UInt8>,
        at separator: UInt8,
        whole: String
    ) throws(ArticleError) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        var quoted = false
        var quoteStart = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if quoted {
                if byte == ASCII.backslash {
                    index += 1
                } else if byte == ASCII.quote {
                    quoted = false
                }
            } else if byte == ASCII.quote {
                quoted = true
                quoteStart = index
            } else if byte == separator {
                parts.append(bytes[start..<index])
                start = index + 1
            }
            index += 1
        }
        if quoted {
            let text = String(decoding: bytes[quoteStart...], as: UTF8.self).trimmingASCIIWhitespace()
            throw ArticleError(.invalidRequest, "\(Self.header): unterminated quote in \(text.quotedForMessage())")
        }
        parts.append(bytes[start...])
        return parts
    }

    /// The first `byte` outside quoted strings.
    private static func firstUnquoted(_ target: UInt8, in bytes: ArraySlice<UInt8>) -> Int? {
        var quoted = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if quoted {
                if byte == ASCII.backslash {
                    index += 1
                } else if byte == ASCII.quote {
                    quoted = false
                }
            } else if byte == ASCII.quote {
                quoted = true
            } else if byte == target {
                return index
            }
            index += 1
        }
        return nil
    }

    // name := token | quoted-string   (several unquoted words are one name)
    private static func part(_ bytes: ArraySlice<UInt8>, whole: String) throws(ArticleError) -> Part {
        let trimmed = bytes.trimmingASCIIWhitespace()
        let raw = String(decoding: trimmed, as: UTF8.self)
        if trimmed.first == ASCII.quote {
            var text: [UInt8] = []
            var index = trimmed.startIndex + 1
            while index < trimmed.endIndex, trimmed[index] != ASCII.quote {
                if trimmed[index] == ASCII.backslash, index + 1 < trimmed.endIndex { index += 1 }
                text.append(trimmed[index])
                index += 1
            }
            guard index + 1 == trimmed.endIndex else {
                throw ArticleError(
                    .invalidRequest,
                    "\(Self.header): unexpected text after the quoted name in \(raw.quotedForMessage())"
                )
            }
            let value = String(decoding: text, as: UTF8.self).trimmingASCIIWhitespace()
            return Part(text: value, isQuoted: true, raw: raw)
        }
        var text: [UInt8] = []
        for byte in trimmed {
            if byte.isASCIIWhitespace {
                if text.last != ASCII.space { text.append(ASCII.space) }
            } else {
                text.append(byte)
            }
        }
        return Part(text: String(decoding: text, as: UTF8.self), isQuoted: false, raw: raw)
    }

    /// `text` as written in the header: as it is when it is a plain token, else quoted.
    /// Names equal to the keywords `default`, `none` and `regenerate` are quoted to stay names.
    static func quotedIfNeeded(_ text: String, isName: Bool) -> String {
        let lowercased = text.asciiLowercased()
        let isKeyword = isName && (lowercased == "default" || lowercased == "none" || lowercased == "regenerate")
        let isToken =
            !text.isEmpty
            && text.utf8.allSatisfy { byte in
                byte > ASCII.space && byte != 0x7F && byte != ASCII.quote && byte != ASCII.comma
                    && byte != ASCII.semicolon && byte != ASCII.equals && byte != ASCII.backslash
            }
        if isToken && !isKeyword { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }
}
