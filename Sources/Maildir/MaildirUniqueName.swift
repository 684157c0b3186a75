#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A unique name in the form the Maildir spec recommends, fixed before anything is written so
/// that the same delivery always writes the same file:
///
/// ```
/// 1733468400.M123456Q42R9f86d081884c7d65.mailhost
/// ^seconds   ^usec   ^id ^64 random bits  ^host (`/` → `\057`, `:` → `\072`)
/// ```
///
/// `Q` is the sequence number of the delivery (the delivery's row id), `R` random bits drawn
/// once, when the name is made. Whoever delivers stores the name before the first byte is
/// written; a delivery interrupted at any point (kill -9) is finished later under the same
/// name, so a restart can see a file already renamed into `new/` (or moved by the reader to
/// `cur/`) and does not write it twice.
/// - SeeAlso: [Maildir, "unique names"](https://cr.yp.to/proto/maildir.html)
public struct MaildirUniqueName: Hashable, Sendable, CustomStringConvertible {
    public var seconds: Int64
    public var microseconds: Int
    public var sequence: Int64
    public var random: UInt64
    /// The host part, escaped (``escapedHost(_:)``).
    public var host: String

    public init(seconds: Int64, microseconds: Int, sequence: Int64, random: UInt64, host: String) {
        self.seconds = seconds
        self.microseconds = microseconds
        self.sequence = sequence
        self.random = random
        self.host = host
    }

    /// A new name for delivery `sequence` at `secondsSince1970`, with fresh random bits and
    /// this machine's host name.
    public static func make(sequence: Int64, at secondsSince1970: Double) -> MaildirUniqueName {
        let seconds = secondsSince1970.rounded(.down)
        return MaildirUniqueName(
            seconds: Int64(seconds),
            microseconds: min(999_999, max(0, Int((secondsSince1970 - seconds) * 1_000_000))),
            sequence: sequence,
            random: UInt64.random(in: .min ... .max),
            host: Self.localHost
        )
    }

    /// `1733468400.M123456Q42R9f86d081884c7d65.mailhost`
    public var description: String {
        let random = String(self.random, radix: 16)
        let padded = String(repeating: "0", count: 16 - random.count) + random
        return "\(self.seconds).M\(self.microseconds)Q\(self.sequence)R\(padded).\(self.host)"
    }

    /// Recognises a name of this form in a file name (its flags, `:2,FLAGS`, ignored); `nil`
    /// for a file somebody else wrote.
    public init?(fileName: String) {
        let base = Maildir.baseName(of: fileName)
        let parts = base.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let seconds = Int64(parts[0]), !parts[2].isEmpty else { return nil }
        var middle = Substring(parts[1])
        guard middle.first == "M" else { return nil }
        middle = middle.dropFirst()
        let micro = middle.prefix(while: \.isASCIIDigit)
        middle = middle.dropFirst(micro.count)
        guard middle.first == "Q" else { return nil }
        middle = middle.dropFirst()
        let sequence = middle.prefix(while: \.isASCIIDigit)
        middle = middle.dropFirst(sequence.count)
        guard middle.first == "R", middle.count == 17, let microseconds = Int(micro),
            let sequenceNumber = Int64(sequence), let random = UInt64(middle.dropFirst(), radix: 16)
        else { return nil }
        self.init(
            seconds: seconds,
            microseconds: microseconds,
            sequence: sequenceNumber,
            random: random,
            host: String(parts[2])
        )
    }

    /// The host name as a unique name carries it: `/` as `\057`, `:` as `\072` (the spec's
    /// escapes), and `.` kept.
    public static func escapedHost(_ hostname: String) -> String {
        var escaped = ""
        for character in hostname {
            switch character {
            case "/": escaped += "\\057"
            case ":": escaped += "\\072"
            case "!": escaped += "\\041"
            default: escaped.append(character)
            }
        }
        return escaped.isEmpty ? "localhost" : escaped
    }

    /// This machine's host name, escaped.
    public static var localHost: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return Self.escapedHost(
            String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        )
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}
