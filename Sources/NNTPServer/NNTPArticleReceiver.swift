import LineServer
import NIOCore

/// Collects the lines of a posted article after `340`, up to the terminating `.` line.
///
/// It un-dot-stuffs, ends every line with CRLF, stops buffering past the size limit (but keeps
/// reading to the terminator, so the connection stays in step), and refuses a header line that
/// ended in a bare LF: such a line could smuggle a header past a reader that splits on LF only.
///
/// - SeeAlso: [RFC 3977 §6.3.1](https://datatracker.ietf.org/doc/html/rfc3977#section-6.3.1)
struct NNTPArticleReceiver: Hashable, Sendable {
    /// Why an article is refused before the backend sees it.
    enum Problem: Hashable, Sendable {
        case bareLFInHeader(line: Int)
        case lineTooLong(line: Int)
        case tooLarge
    }

    /// The outcome once the terminator arrived.
    enum Result: Hashable, Sendable {
        /// The article, unstuffed, CRLF lines.
        case complete([UInt8])
        /// The text for `441`.
        case rejected(String)
    }

    /// The article so far, unstuffed, CRLF lines.
    private(set) var text: DotUnstuffedText
    private var lineNumber = 0
    private var isInHeader = true
    private var problem: Problem?

    init(maximumBytes: Int) {
        self.text = DotUnstuffedText(maximumBytes: maximumBytes)
    }

    /// Takes one frame; returns the result when it was the terminator, `nil` otherwise.
    mutating func receive(_ frame: LineFrame) -> Result? {
        self.lineNumber += 1
        switch frame {
        case .overlongLine:
            self.noteProblem(.lineTooLong(line: self.lineNumber))
            return nil
        case .line(let line, let ending):
            let view = line.readableBytesView
            if view.count == 1, view.first == UInt8(ascii: ".") {
                return self.finish()
            }
            let content = DotUnstuffedText.unstuffed(view)
            if self.isInHeader {
                if content.isEmpty {
                    self.isInHeader = false
                } else if ending == .lf {
                    self.noteProblem(.bareLFInHeader(line: self.lineNumber))
                }
            }
            if !self.text.append(content) {
                // Read on to the terminator, holding nothing more.
                self.noteProblem(.tooLarge)
            }
            return nil
        }
    }

    private mutating func noteProblem(_ problem: Problem) {
        if self.problem == nil {
            self.problem = problem
        }
    }

    private func finish() -> Result {
        switch self.problem {
        case nil:
            return .complete(self.text.bytes)
        case .bareLFInHeader(let line):
            return .rejected("bare LF in header line \(line)")
        case .lineTooLong(let line):
            return .rejected("line \(line) is too long")
        case .tooLarge:
            return .rejected("article too large (\(self.text.size) octets, limit \(self.text.maximumBytes))")
        }
    }
}
