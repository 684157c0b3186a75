/// One message of an mbox file: its separator line and its octets as stored, unquoted.
public struct MboxMessage: Hashable, Sendable {
    /// The separator line after `From ` without its end of line: `sender asctime-date`, e.g.
    /// `jane@example.org Sat Dec  5 12:00:00 2026`.
    public var separator: String
    /// The message (header section, empty line, body) with `>From ` quoting removed and its
    /// line ends as the file had them (LF or CRLF); the blank line that separates it from the
    /// next message is not included.
    public var bytes: [UInt8]

    public init(separator: String, bytes: [UInt8]) {
        self.separator = separator
        self.bytes = bytes
    }

    /// The envelope sender: the first word of the separator line (`MAILER-DAEMON`, `-` and
    /// other non-addresses come through as written).
    public var envelopeSender: String {
        String(self.separator.prefix { $0 != " " && $0 != "\t" })
    }
}
