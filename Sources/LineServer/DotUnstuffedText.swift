import NIOCore

/// The text of a dot-stuffed block (an NNTP article after `340`, an SMTP message after `354`)
/// as it arrives: each line unstuffed and stored with CRLF, up to a size limit.
///
/// Only what both protocols do the same lives here: a line that starts with `.` loses that
/// first `.` (RFC 3977 §3.1.1, RFC 5321 §4.5.2), every line is stored with CRLF whatever ended
/// it, and past `maximumBytes` nothing more is held while the size goes on counting (the
/// session reads on to the terminator and stays in step). Which line ends the block, and what
/// a bare LF means, each protocol decides in its own receiver.
///
/// The methods are `@inlinable` and always inlined: they run once per line of a posted
/// article, where each server had this code inline before it was shared.
public struct DotUnstuffedText: Hashable, Sendable {
    /// The most octets held (unstuffed, CRLF lines).
    public let maximumBytes: Int
    @usableFromInline
    var storage: [UInt8] = []
    @usableFromInline
    var count = 0

    /// Creates an empty text that holds at most `maximumBytes` octets.
    public init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    /// The text so far; empty once it went over ``maximumBytes``.
    @inlinable
    public var bytes: [UInt8] { self.storage }

    /// The size so far, counting what was not held.
    @inlinable
    public var size: Int { self.count }

    /// `line` without its stuffing: a line that starts with `.` and is longer than the lone `.`
    /// loses the first `.`.
    @inlinable
    @inline(__always)
    public static func unstuffed(_ line: ByteBufferView) -> ByteBufferView.SubSequence {
        line.count > 1 && line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
    }

    /// Appends one unstuffed line and CRLF; `false` when the text is now over ``maximumBytes``,
    /// in which case it holds nothing more.
    @inlinable
    @inline(__always)
    public mutating func append(_ content: ByteBufferView.SubSequence) -> Bool {
        self.count += content.count + 2
        guard self.count <= self.maximumBytes else {
            self.storage = []
            return false
        }
        self.storage.append(contentsOf: content)
        self.storage.append(UInt8(ascii: "\r"))
        self.storage.append(UInt8(ascii: "\n"))
        return true
    }
}
