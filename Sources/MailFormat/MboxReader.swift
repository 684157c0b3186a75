import Foundation

/// Reads an mbox file as a stream: feed it chunks of any size, get whole messages back.
///
/// ```
/// From jane@example.org Sat Dec  5 12:00:00 2026
/// From: Jane <jane@example.org>
/// Subject: Bread
///
/// >From the recipe:
///
/// From bob@example.org Sat Dec  5 12:05:00 2026
/// ...
/// ```
/// Rules:
/// * Every line that begins with `From ` starts a new message (the mbox family's definition;
///   Python's `mailbox` and mutt read it the same way). Writers quote such lines in bodies.
/// * The blank line before a separator (and at the end of the input) belongs to the format,
///   not to the message, and is removed.
/// * Quoting is undone per ``Quoting``: mboxrd (default) turns `>+From ` into one `>` fewer;
///   mboxo turns only `>From ` into `From `.
/// * LF and CRLF lines are both accepted and kept as they are; the last message may end without
///   a newline.
/// * Blank lines before the first separator are skipped; any other text there means the
///   input is no mbox (``MailFormatError/Code/notMbox``).
///
/// mboxrd is assumed unless told otherwise: it is exact for mboxrd files (what ``MboxWriter``
/// and `forllm export` write) and, for mboxo files (mutt, Python's `mailbox`), it differs only
/// on body lines that were `>From ` before quoting, which are rare; the common case, a body
/// line `From ` quoted as `>From `, reads back the same either way. Reading an mboxrd file as
/// mboxo instead would leave every `>>From ` line one `>` too deep.
/// - SeeAlso: [mboxrd](https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml),
///   [RFC 4155](https://datatracker.ietf.org/doc/html/rfc4155)
public struct MboxReader: Sendable {
    /// How `>From ` lines in the file were quoted.
    public enum Quoting: String, Hashable, Sendable, CaseIterable {
        /// `>+From ` stands for one `>` fewer (every `>*From ` line was quoted).
        case mboxrd
        /// `>From ` stands for `From ` (only `From ` lines were quoted; `>>From ` is literal).
        case mboxo
    }

    public let quoting: Quoting
    /// Octets of a line not yet complete.
    private var pending: [UInt8] = []
    /// The message being collected, once its separator was read.
    private var current: MboxMessage?
    /// Octets fed so far (for progress).
    public private(set) var bytesRead: Int = 0
    /// Messages returned so far.
    public private(set) var messagesRead: Int = 0

    public init(quoting: Quoting = .mboxrd) {
        self.quoting = quoting
    }

    /// Feeds the next chunk of the file; returns the messages it completed, in order.
    public mutating func read(_ chunk: some Collection<UInt8>) throws(MailFormatError) -> [MboxMessage] {
        self.bytesRead += chunk.count
        self.pending.append(contentsOf: chunk)
        var messages: [MboxMessage] = []
        var lineStart = 0
        let count = self.pending.count
        // Lines are cut out of `pending` by index; what is left of it is the incomplete line.
        while lineStart < count {
            guard let newline = self.pending[lineStart...].firstIndex(of: MailBytes.lf) else { break }
            if let message = try self.take(line: lineStart..<(newline + 1)) { messages.append(message) }
            lineStart = newline + 1
        }
        if lineStart > 0 { self.pending.removeFirst(lineStart) }
        return messages
    }

    /// Ends the input: the last line (even without a newline) and the last message.
    public mutating func finish() throws(MailFormatError) -> [MboxMessage] {
        var messages: [MboxMessage] = []
        if !self.pending.isEmpty {
            if let message = try self.take(line: 0..<self.pending.count) { messages.append(message) }
            self.pending.removeAll()
        }
        if let last = self.complete() { messages.append(last) }
        return messages
    }

    /// Handles one line of `pending` (its end of line included, when it has one).
    private mutating func take(line range: Range<Int>) throws(MailFormatError) -> MboxMessage? {
        let line = self.pending[range]
        if MailBytes.hasPrefix(line, MailBytes.fromSpace) {
            let finished = self.complete()
            var end = line.endIndex
            while end > line.startIndex + 5, line[end - 1] == MailBytes.lf || line[end - 1] == MailBytes.cr {
                end -= 1
            }
            self.current = MboxMessage(
                separator: String(decoding: line[(line.startIndex + 5)..<end], as: UTF8.self),
                bytes: []
            )
            return finished
        }
        guard self.current != nil else {
            if MailBytes.isBlankLine(line) { return nil }
            let text = String(decoding: line.prefix(40), as: UTF8.self).trimmingCharacters(in: [" ", "\r", "\n"])
            throw MailFormatError(
                .notMbox,
                "not an mbox file: it must begin with a 'From ' line, not '\(text)'"
            )
        }
        if line.first == MailBytes.greater, self.isQuoted(line) {
            self.current?.bytes.append(contentsOf: line.dropFirst())
        } else {
            self.current?.bytes.append(contentsOf: line)
        }
        return nil
    }

    /// Whether `line` starts with `>` and is a quoted `From ` line under ``quoting``.
    private func isQuoted(_ line: ArraySlice<UInt8>) -> Bool {
        switch self.quoting {
        case .mboxrd:
            return MailBytes.isQuotableFromLine(line)
        case .mboxo:
            return MailBytes.hasPrefix(line.dropFirst(), MailBytes.fromSpace)
        }
    }

    /// The message being collected, without the blank line that ends it; `nil` when there is
    /// none or it is empty.
    private mutating func complete() -> MboxMessage? {
        guard var message = self.current else { return nil }
        self.current = nil
        let bytes = message.bytes
        if bytes.count >= 2, bytes[bytes.count - 1] == MailBytes.lf {
            if bytes[bytes.count - 2] == MailBytes.lf {
                message.bytes.removeLast()
            } else if bytes.count >= 4, bytes[bytes.count - 2] == MailBytes.cr,
                bytes[bytes.count - 3] == MailBytes.lf, bytes[bytes.count - 4] == MailBytes.cr
            {
                message.bytes.removeLast(2)
            }
        } else if bytes == [MailBytes.lf] || bytes == [MailBytes.cr, MailBytes.lf] {
            message.bytes = []
        }
        if message.bytes.isEmpty { return nil }
        self.messagesRead += 1
        return message
    }
}
