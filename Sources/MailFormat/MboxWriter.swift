import Foundation
import NewsArticle

/// Writes messages in mboxrd form: a `From ` separator line with the envelope sender and an
/// asctime date in UTC, the message with LF line ends and every `>*From ` line quoted with one
/// more `>`, and a blank line after it.
///
/// ```
/// From jane@example.org Sat Dec  5 12:00:00 2026
/// From: Jane <jane@example.org>
/// Subject: Bread
///
/// >From the recipe:
/// >>From quoted twice
///
/// ```
/// ``MboxReader`` with ``MboxReader/Quoting/mboxrd`` reads it back octet for octet (CRLF
/// line ends come back as LF: mbox is a Unix format; an article read back gets its CRLFs from
/// ``MailConversion``). A message that does not end with a newline gets one.
/// - SeeAlso: [mboxrd](https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml)
public enum MboxWriter {
    /// Appends `message` (LF or CRLF lines) to `output` as one mboxrd entry.
    public static func append(
        _ message: some Collection<UInt8>,
        sender: String,
        date: Date,
        to output: inout [UInt8]
    ) {
        let bytes = ContiguousArray(message)
        output.reserveCapacity(output.count + bytes.count + 64)
        output.append(contentsOf: Self.separatorLine(sender: sender, date: date))
        var lineStart = 0
        while lineStart < bytes.count {
            let newline = bytes[lineStart...].firstIndex(of: MailBytes.lf)
            var lineEnd = newline ?? bytes.count
            let hasNewline = newline != nil
            if hasNewline, lineEnd > lineStart, bytes[lineEnd - 1] == MailBytes.cr { lineEnd -= 1 }
            let line = ArraySlice(bytes[lineStart..<lineEnd])
            if MailBytes.isQuotableFromLine(line) { output.append(MailBytes.greater) }
            output.append(contentsOf: line)
            output.append(MailBytes.lf)
            lineStart = (newline ?? bytes.count) + 1
        }
        output.append(MailBytes.lf)
    }

    /// `From SENDER DATE\n`: the sender with white space and control characters replaced by
    /// `-` (`MAILER-DAEMON` when empty), the date as asctime in UTC.
    public static func separatorLine(sender: String, date: Date) -> [UInt8] {
        var line = MailBytes.fromSpace
        var clean = sender.utf8.map { $0 <= 0x20 || $0 == 0x7F ? UInt8(ascii: "-") : $0 }
        if clean.isEmpty { clean = Array("MAILER-DAEMON".utf8) }
        line.append(contentsOf: clean)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: Self.asctime(date).utf8)
        line.append(MailBytes.lf)
        return line
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// C's `asctime` form in UTC, without the newline: `Sat Dec  5 12:00:00 2026` (day of month
    /// padded with a space to two characters).
    public static func asctime(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (day, secondOfDay) = CivilDate.utc(secondsSince1970: seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let dayOfMonth = day.day < 10 ? " \(day.day)" : "\(day.day)"
        return "\(Self.weekdays[day.weekday]) \(Self.months[day.month - 1]) \(dayOfMonth) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) \(day.year)"
    }
}
