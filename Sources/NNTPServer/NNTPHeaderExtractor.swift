import NIOCore

/// Finds a header's value in a stored article, for `HDR`/`XHDR`/`XPAT` by message-id.
///
/// The header section is read as CRLF (or LF) lines; continuation lines (starting with a space
/// or tab) are unfolded; names compare case-insensitively. `:bytes` is the article's size and
/// `:lines` the number of body lines.
///
/// - SeeAlso: [RFC 3977 §8.5.2](https://datatracker.ietf.org/doc/html/rfc3977#section-8.5.2)
enum NNTPHeaderExtractor {
    /// The unfolded value of `field` (lower case, or a `:`-metadata name), `""` when absent.
    static func value(of field: String, in article: NNTPArticle) -> String {
        switch field {
        case ":bytes":
            return String(article.bytes.readableBytes)
        case ":lines":
            let (_, body) = NNTPCommandExecutor.split(article)
            return String(body.readableBytesView.lazy.filter { $0 == UInt8(ascii: "\n") }.count)
        default:
            let (head, _) = NNTPCommandExecutor.split(article)
            return self.value(of: Array(field.utf8), inHeader: Array(head.readableBytesView))
        }
    }

    private static func value(of name: [UInt8], inHeader head: [UInt8]) -> String {
        var result: [UInt8]?
        var index = 0
        while index < head.count {
            let lineEnd = head[index...].firstIndex(of: UInt8(ascii: "\n")) ?? head.count
            var line = head[index..<lineEnd]
            if line.last == UInt8(ascii: "\r") {
                line = line.dropLast()
            }
            index = lineEnd + 1
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                // A continuation of the header found, if any: unfold.
                if result != nil {
                    result?.append(contentsOf: line)
                }
                continue
            }
            if result != nil {
                break
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon - line.startIndex == name.count,
                zip(line[line.startIndex..<colon], name).allSatisfy({ Self.lower($0) == $1 })
            else {
                continue
            }
            result = Array(line[(colon + 1)...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        }
        return String(decoding: result ?? [], as: UTF8.self)
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
