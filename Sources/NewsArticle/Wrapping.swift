/// Wrapping text for newsreaders: RFC 3676 `format=flowed`, DelSp=no.
/// - SeeAlso: [RFC 3676](https://datatracker.ietf.org/doc/html/rfc3676)
public enum Wrapping {
    /// Wraps `text` (LF line ends) as format=flowed: paragraph lines broken at spaces so that
    /// no line exceeds `width` octets where a break is possible, each soft break marked by a
    /// trailing space; lines starting with a space, `>` or `From ` space-stuffed; trailing
    /// spaces of hard lines removed (except in the signature separator `-- `). Preformatted
    /// text is kept as fixed lines: fenced code blocks (```` ``` ```` or `~~~`) and lines
    /// indented by four spaces or a tab; such a line longer than 998 octets is still broken (at
    /// a character boundary) so the article stays valid, and so is a word longer than that.
    /// Returns LF-separated lines, no trailing LF (a final LF of `text` is dropped; CRLF is
    /// read as LF).
    public static func flowed(_ text: String, width: Int = 78) -> String {
        let width = max(width, 2)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 32)
        var fence: [UInt8]?
        var isFirst = true
        func emit(_ line: ArraySlice<UInt8>) {
            if !isFirst { output.append(ASCII.lf) }
            isFirst = false
            output.append(contentsOf: line)
        }
        var body = text[...]
        if body.utf8.last == ASCII.lf { body = Substring(body.utf8.dropLast()) }
        if body.isEmpty { return "" }
        for lineText in splitAllLines(body) {
            let line = Array(lineText.utf8)[...]
            let indent = line.prefix { $0 == ASCII.space }.count
            let afterIndent = line.dropFirst(indent)
            let marker = Self.fenceMarker(afterIndent)
            if indent < 4, let marker {
                if let open = fence {
                    if afterIndent.starts(with: open) { fence = nil }
                } else {
                    fence = marker
                }
                Self.fixedLines(line, emit: emit)
            } else if fence != nil || indent >= 4 || line.first == ASCII.tab {
                Self.fixedLines(line, emit: emit)
            } else if line.elementsEqual([ASCII.minus, ASCII.minus, ASCII.space]) {
                emit(line)
            } else {
                Self.paragraphLines(line, width: width, emit: emit)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: - Helpers

    /// The longest line a fixed line is broken into, stuffing space included (RFC 5322 §2.1.1).
    static let maximumLineLength = 998

    /// ```` ``` ```` or `~~~` (three or more) at the start of `line`, returned as three octets.
    private static func fenceMarker(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        let backticks: [UInt8] = [ASCII.backtick, ASCII.backtick, ASCII.backtick]
        let tildes: [UInt8] = [ASCII.tilde, ASCII.tilde, ASCII.tilde]
        if line.starts(with: backticks) { return backticks }
        if line.starts(with: tildes) { return tildes }
        return nil
    }

    /// Whether a line must be space-stuffed (RFC 3676 §4.4).
    private static func needsStuffing(_ line: ArraySlice<UInt8>) -> Bool {
        guard let first = line.first else { return false }
        return first == ASCII.space || first == ASCII.greater || line.starts(with: "From ".utf8)
    }

    /// A line as it is, trailing spaces removed, stuffed, broken at character boundaries when
    /// longer than ``maximumLineLength``.
    private static func fixedLines(_ line: ArraySlice<UInt8>, emit: (ArraySlice<UInt8>) -> Void) {
        var line = line
        while line.last == ASCII.space { line = line.dropLast() }
        Self.stuffedLines(line, emit: emit)
    }

    /// `piece` stuffed if needed and emitted, in pieces of at most ``maximumLineLength``
    /// octets cut at character boundaries.
    private static func stuffedLines(_ piece: ArraySlice<UInt8>, emit: (ArraySlice<UInt8>) -> Void) {
        var rest = piece
        repeat {
            let stuffing = Self.needsStuffing(rest) ? 1 : 0
            var cut = rest.endIndex
            if rest.count + stuffing > Self.maximumLineLength {
                cut = rest.startIndex + Self.maximumLineLength - stuffing
                while cut > rest.startIndex + 1, rest[cut] & 0xC0 == 0x80 { cut -= 1 }
            }
            if stuffing == 1 {
                var stuffed: [UInt8] = [ASCII.space]
                stuffed.append(contentsOf: rest[..<cut])
                emit(stuffed[...])
            } else {
                emit(rest[..<cut])
            }
            rest = rest[cut...]
        } while !rest.isEmpty
    }

    /// A paragraph line broken after runs of spaces, greedily, so that each line (trailing
    /// space and stuffing included) fits in `width` where a break allows it.
    private static func paragraphLines(
        _ line: ArraySlice<UInt8>,
        width: Int,
        emit: (ArraySlice<UInt8>) -> Void
    ) {
        var line = line
        while line.last == ASCII.space { line = line.dropLast() }
        var start = line.startIndex
        while true {
            let rest = line[start...]
            let stuffing = Self.needsStuffing(rest) ? 1 : 0
            if rest.count + stuffing <= width { break }
            // A break point p: rest[p-1] is a space, rest[p] is not, and the line before it
            // holds something besides spaces.
            let firstWord = rest.firstIndex { $0 != ASCII.space } ?? rest.endIndex
            func isBreak(_ position: Int) -> Bool {
                position > firstWord && line[position - 1] == ASCII.space && line[position] != ASCII.space
            }
            var breakPoint: Int?
            var position = min(start + width - stuffing, line.endIndex - 1)
            while position > firstWord {
                if isBreak(position) {
                    breakPoint = position
                    break
                }
                position -= 1
            }
            if breakPoint == nil {
                // An unbreakable word: the line runs to the first break after it.
                position = start + width - stuffing + 1
                while position < line.endIndex {
                    if isBreak(position) {
                        breakPoint = position
                        break
                    }
                    position += 1
                }
            }
            guard let cut = breakPoint else { break }
            Self.stuffedLines(line[start..<cut], emit: emit)
            start = cut
        }
        Self.stuffedLines(line[start...], emit: emit)
    }
}
