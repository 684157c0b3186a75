import LineServer
import NIOCore
import SMTPCore

/// Collects the lines of a message after `354`, up to the end of mail data, `<CRLF>.<CRLF>`.
///
/// - Dot-unstuffing: a line that starts with `.` loses that first `.` (RFC 5321 §4.5.2).
/// - Line ends: every line is stored with CRLF. A line that ended in a bare LF is taken as a
///   line and stored with CRLF, in the header as in the body, as Postfix does with
///   `smtpd_forbid_bare_newline = normalize` (its default since 3.9): scripts that hand
///   `sendmail()` LF-only bytes keep working, and everything downstream sees the same lines the
///   server saw (unlike NNTP `POST`, which refuses a bare LF in a header, mail programs send
///   them routinely). But only the standard sequence ends the data: a `.` line ends it only when
///   it and the line before it ended in CRLF (the `354` counts as such a line). A `.` line that
///   does not qualify is kept as the lone `.` it was. This is the defence against SMTP
///   smuggling (CVE-2023-51764 and its kin): no bare-LF variant of the terminator can end one
///   message early and let a second transaction start inside it.
/// - Bytes are kept as they are: 8-bit and UTF-8 bodies arrive byte for byte, and so does a CR
///   inside a line.
/// - Limits: past `maximumBytes` nothing more is buffered, but the lines are read on to the
///   terminator so the session stays in step and can answer `552`; an over-long line (which the
///   framing layer has already dropped) refuses the message with `500`.
///
/// - SeeAlso: [RFC 5321 §4.1.1.4](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.1.4),
///   [RFC 1870 §6.3](https://datatracker.ietf.org/doc/html/rfc1870#section-6.3)
struct SMTPDataReceiver: Hashable, Sendable {
    /// Why a message is refused before the backend sees it.
    enum Problem: Hashable, Sendable {
        case lineTooLong(line: Int)
        case tooLarge
    }

    /// The outcome once the terminator arrived.
    enum Result: Hashable, Sendable {
        /// The message, unstuffed, CRLF lines.
        case complete([UInt8])
        /// The reply that refuses it.
        case refused(SMTPReply)
    }

    let maximumLineLength: Int
    /// The message so far, unstuffed, CRLF lines.
    private(set) var text: DotUnstuffedText
    private var lineNumber = 0
    private var previousEndedInCRLF = true
    private var problem: Problem?

    init(maximumBytes: Int, maximumLineLength: Int) {
        self.text = DotUnstuffedText(maximumBytes: maximumBytes)
        self.maximumLineLength = maximumLineLength
    }

    /// Takes one frame; returns the result when it was the terminator, `nil` otherwise.
    mutating func receive(_ frame: LineFrame) -> Result? {
        self.lineNumber += 1
        switch frame {
        case .overlongLine:
            self.noteProblem(.lineTooLong(line: self.lineNumber))
            // Whatever ended the dropped line, it was no CRLF right before a terminator we saw.
            self.previousEndedInCRLF = false
            return nil
        case .line(let line, let ending):
            let view = line.readableBytesView
            let isDot = view.count == 1 && view.first == UInt8(ascii: ".")
            if isDot, ending == .crlf, self.previousEndedInCRLF {
                return self.finish()
            }
            self.previousEndedInCRLF = ending == .crlf
            if !self.text.append(DotUnstuffedText.unstuffed(view)) {
                // Read on to the terminator, holding nothing more.
                self.noteProblem(.tooLarge)
            }
            return nil
        }
    }

    private mutating func noteProblem(_ problem: Problem) {
        if self.problem == nil || problem == .tooLarge {
            // Too large wins: it is the one a client can act on (RFC 1870 SIZE).
            self.problem = problem
        }
    }

    private func finish() -> Result {
        switch self.problem {
        case nil:
            return .complete(self.text.bytes)
        case .tooLarge:
            return .refused(
                SMTPReply(
                    .exceededStorage,
                    SMTPEnhancedStatusCode(5, 3, 4),
                    "message too large (\(self.text.size) octets, limit \(self.text.maximumBytes))"
                )
            )
        case .lineTooLong(let line):
            return .refused(
                SMTPReply(
                    .commandUnrecognized,
                    SMTPEnhancedStatusCode(5, 5, 0),
                    "line \(line) of the message is too long (limit \(self.maximumLineLength) octets)"
                )
            )
        }
    }
}
