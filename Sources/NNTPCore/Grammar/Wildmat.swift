/// A wildmat: the pattern language NNTP uses for newsgroup names and header values.
///
/// Two syntaxes exist:
///
/// * ``Syntax-swift.enum/rfc3977``, for `NEWNEWS`, `LIST ACTIVE`, `LIST NEWSGROUPS` and their
///   kin: a comma-separated list of patterns, each optionally negated by `!`; the last pattern
///   that matches decides, and a text that no pattern matches does not match.
///   ```
///   wildmat = wildmat-pattern *("," ["!"] wildmat-pattern)
///   wildmat-pattern = 1*wildmat-item
///   wildmat-item = wildmat-exact / wildmat-wild
///   wildmat-wild = "*" / "?"
///   ```
///   As INN's `uwildmat` does, the first pattern may be negated too, and the `[...]` classes
///   and `\` escapes of the other syntax are accepted.
/// * ``Syntax-swift.enum/uniwildmat``, for `XPAT`: one pattern, where `*` matches any run of
///   characters, `?` one character, `[abc]`, `[a-z]` and `[^a-z]` one character of (not of) a
///   set, and `\` makes the next character literal. A `,` is an ordinary character.
///
/// Matching works on Unicode scalars and simulates the pattern as a set of positions
/// (a Thompson NFA), so it takes O(text × pattern) time whatever the pattern: 479 `*` cost no
/// more than one.
///
/// - SeeAlso: [RFC 3977 §4](https://datatracker.ietf.org/doc/html/rfc3977#section-4),
///   [RFC 2980 §3.3](https://datatracker.ietf.org/doc/html/rfc2980#section-3.3)
public struct Wildmat: Hashable, Sendable {
    /// Which wildmat language a pattern is written in.
    public enum Syntax: Hashable, Sendable {
        /// RFC 3977 §4: comma-separated patterns, `!` negation, last match wins.
        case rfc3977
        /// RFC 2980 §3.3 (`XPAT`): a single pattern with `[...]` classes and `\` escapes.
        case uniwildmat
    }

    /// The pattern as the client wrote it.
    public let source: String
    /// The syntax `source` was parsed with.
    public let syntax: Syntax
    private let elements: [Element]

    /// Parses `source` in `syntax`.
    ///
    /// - Throws: a ``NNTPParserError/Code-swift.struct/syntaxError`` for an empty pattern, an empty
    ///   list element, an unterminated `[` class or a trailing `\`.
    public init(_ source: String, syntax: Syntax = .rfc3977) throws(NNTPParserError) {
        self.source = source
        self.syntax = syntax
        self.elements = try Self.parse(Array(source.unicodeScalars), syntax: syntax)
    }

    /// Whether `text` matches.
    public func matches(_ text: String) -> Bool {
        // Last match wins: the first element from the end that matches decides.
        for element in self.elements.reversed() where element.pattern.matches(text) {
            return !element.isNegated
        }
        return false
    }
}

// MARK: - Parsing

extension Wildmat {
    private struct Element: Hashable, Sendable {
        var isNegated: Bool
        var pattern: Pattern
    }

    private static func parse(_ scalars: [Unicode.Scalar], syntax: Syntax) throws(NNTPParserError) -> [Element] {
        guard !scalars.isEmpty else {
            throw .syntax("empty wildmat")
        }
        var elements: [Element] = []
        var index = 0
        while true {
            var isNegated = false
            if syntax == .rfc3977, index < scalars.count, scalars[index] == "!" {
                isNegated = true
                index += 1
            }
            let pattern = try Pattern.parse(scalars, from: &index, stopAtComma: syntax == .rfc3977)
            elements.append(Element(isNegated: isNegated, pattern: pattern))
            guard index < scalars.count else {
                return elements
            }
            // `Pattern.parse` stops only at the end or at an unescaped comma.
            index += 1
        }
    }
}

// MARK: - Pattern

extension Wildmat {
    /// One pattern of a wildmat, compiled to tokens.
    struct Pattern: Hashable, Sendable {
        enum Token: Hashable, Sendable {
            case literal(Unicode.Scalar)
            case anyOne
            case anyRun
            case set(CharacterSet)
        }

        struct CharacterSet: Hashable, Sendable {
            var ranges: [ClosedRange<UInt32>]
            var isNegated: Bool

            func contains(_ scalar: Unicode.Scalar) -> Bool {
                let value = scalar.value
                let isMember = self.ranges.contains { $0.contains(value) }
                return isMember != self.isNegated
            }
        }

        var tokens: [Token]

        // wildmat-pattern = 1*wildmat-item
        static func parse(
            _ scalars: [Unicode.Scalar],
            from index: inout Int,
            stopAtComma: Bool
        ) throws(NNTPParserError) -> Pattern {
            var tokens: [Token] = []
            while index < scalars.count {
                let scalar = scalars[index]
                switch scalar {
                case "," where stopAtComma:
                    guard !tokens.isEmpty else {
                        throw .syntax("empty pattern in wildmat")
                    }
                    return Pattern(tokens: tokens)
                case "*":
                    // Consecutive stars are one star.
                    if tokens.last != .anyRun {
                        tokens.append(.anyRun)
                    }
                    index += 1
                case "?":
                    tokens.append(.anyOne)
                    index += 1
                case "\\":
                    guard index + 1 < scalars.count else {
                        throw .syntax("wildmat ends in a backslash")
                    }
                    tokens.append(.literal(scalars[index + 1]))
                    index += 2
                case "[":
                    tokens.append(.set(try Self.parseSet(scalars, from: &index)))
                default:
                    tokens.append(.literal(scalar))
                    index += 1
                }
            }
            guard !tokens.isEmpty else {
                throw .syntax("empty pattern in wildmat")
            }
            return Pattern(tokens: tokens)
        }

        // set = "[" ["^"] ["]"] *(char / char "-" char) "]"
        private static func parseSet(
            _ scalars: [Unicode.Scalar],
            from index: inout Int
        ) throws(NNTPParserError) -> CharacterSet {
            index += 1  // "["
            var isNegated = false
            if index < scalars.count, scalars[index] == "^" {
                isNegated = true
                index += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            var isFirst = true
            while index < scalars.count {
                var scalar = scalars[index]
                if scalar == "]" && !isFirst {
                    index += 1
                    return CharacterSet(ranges: ranges, isNegated: isNegated)
                }
                isFirst = false
                if scalar == "\\" {
                    guard index + 1 < scalars.count else {
                        throw .syntax("wildmat ends in a backslash")
                    }
                    index += 1
                    scalar = scalars[index]
                }
                index += 1
                if index + 1 < scalars.count, scalars[index] == "-", scalars[index + 1] != "]" {
                    var upper = scalars[index + 1]
                    index += 2
                    if upper == "\\" {
                        guard index < scalars.count else {
                            throw .syntax("wildmat ends in a backslash")
                        }
                        upper = scalars[index]
                        index += 1
                    }
                    guard scalar.value <= upper.value else {
                        throw .syntax("reversed range in wildmat class")
                    }
                    ranges.append(scalar.value...upper.value)
                } else {
                    ranges.append(scalar.value...scalar.value)
                }
            }
            throw .syntax("unterminated [ in wildmat")
        }

        /// Simulates the pattern as a set of positions: `active[i]` means the first `i` tokens
        /// have matched the text read so far. Each scalar of the text is looked at once per
        /// token, so there is no backtracking.
        func matches(_ text: String) -> Bool {
            let tokens = self.tokens
            let count = tokens.count
            var active = [Bool](repeating: false, count: count + 1)
            var next = active
            active[0] = true
            Self.closeOverStars(&active, tokens)
            for scalar in text.unicodeScalars {
                for position in next.indices {
                    next[position] = false
                }
                var anyActive = false
                for position in 0..<count where active[position] {
                    switch tokens[position] {
                    case .anyRun:
                        next[position] = true
                        anyActive = true
                    case .anyOne:
                        next[position + 1] = true
                        anyActive = true
                    case .literal(let literal):
                        if literal == scalar {
                            next[position + 1] = true
                            anyActive = true
                        }
                    case .set(let set):
                        if set.contains(scalar) {
                            next[position + 1] = true
                            anyActive = true
                        }
                    }
                }
                guard anyActive else {
                    return false
                }
                Self.closeOverStars(&next, tokens)
                swap(&active, &next)
            }
            return active[count]
        }

        /// A `*` may match nothing: a position before a star also stands after it.
        private static func closeOverStars(_ active: inout [Bool], _ tokens: [Token]) {
            for position in tokens.indices where active[position] && tokens[position] == .anyRun {
                active[position + 1] = true
            }
        }
    }
}

// MARK: - CustomStringConvertible

extension Wildmat: CustomStringConvertible {
    public var description: String {
        self.source
    }
}
