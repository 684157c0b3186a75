import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One server response as the bench sees it: the status line, and for a multi-line response
/// how many lines and bytes its data block had (and, when asked for, the block itself).
struct NNTPReply: Sendable {
    /// The three-digit status code (0 when the line had none).
    var code: Int
    /// The status line without CRLF.
    var line: String
    /// Lines of the data block, without the terminating `.` line.
    var lineCount = 0
    /// Bytes of the data block, CRLFs included, the terminating `.` line not.
    var byteCount = 0
    /// The data block (still dot-stuffed), when the decoder keeps bodies.
    var body: ByteBuffer?

    /// The numbers of a `211 count low high group` answer to GROUP.
    var groupNumbers: (count: Int, low: Int, high: Int)? {
        let words = self.line.split(separator: " ")
        guard self.code == 211, words.count >= 4, let count = Int(words[1]), let low = Int(words[2]),
            let high = Int(words[3])
        else { return nil }
        return (count, low, high)
    }

    /// The data block as text (for HEAD, which the bench reads rarely).
    var bodyText: String {
        self.body.map { String(buffer: $0) } ?? ""
    }
}

/// Frames the server's byte stream into ``NNTPReply`` values.
///
/// Whether a data block follows is decided by the status code alone (RFC 3977 §3.2): the bench
/// never sends LISTGROUP, so 211 is always single-line. A data block is consumed line by line as
/// it arrives, so a 15 MB OVER answer never sits in the cumulation buffer as a whole.
struct NNTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = NNTPReply

    /// Status codes followed by a data block (RFC 3977 §3.2 and the commands the bench sends).
    static let multiLineCodes: Set<Int> = [100, 101, 215, 220, 221, 222, 224, 225, 230, 231, 282]

    private let keepsBodies: Bool
    private var pending: NNTPReply?

    init(keepsBodies: Bool = false) {
        self.keepsBodies = keepsBodies
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if self.pending == nil {
            guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
                return .needMoreData
            }
            var length = newline - buffer.readerIndex
            if length > 0, buffer.getInteger(at: newline - 1, as: UInt8.self) == UInt8(ascii: "\r") { length -= 1 }
            let line = buffer.getString(at: buffer.readerIndex, length: length) ?? ""
            buffer.moveReaderIndex(to: newline + 1)
            let code = length >= 3 ? Int(line.prefix(3)) ?? 0 : 0
            var reply = NNTPReply(code: code, line: line)
            if Self.multiLineCodes.contains(code) {
                if self.keepsBodies { reply.body = ByteBuffer() }
                self.pending = reply
                return .continue
            }
            context.fireChannelRead(Self.wrapInboundOut(reply))
            return .continue
        }
        // In a data block: consume every complete line, look for the lone ".".
        var finished = false
        var lines = 0
        let consumed = buffer.withUnsafeReadableBytes { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            var start = 0
            let end = bytes.count
            while start < end {
                guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), end - start) else { break }
                let newline = base.distance(to: UnsafeRawPointer(found))
                let length = newline - start + 1
                if length == 3, bytes[start] == UInt8(ascii: "."), bytes[start + 1] == UInt8(ascii: "\r") {
                    finished = true
                    return newline + 1
                }
                lines += 1
                start = newline + 1
            }
            return start
        }
        guard consumed > 0 else { return .needMoreData }
        var reply = self.pending!
        self.pending = nil  // so that appending to reply.body does not copy it
        reply.lineCount += lines
        let blockBytes = finished ? consumed - 3 : consumed
        reply.byteCount += blockBytes
        if self.keepsBodies {
            reply.body?.writeImmutableBuffer(buffer.getSlice(at: buffer.readerIndex, length: blockBytes)!)
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        if finished {
            context.fireChannelRead(Self.wrapInboundOut(reply))
        } else {
            self.pending = reply
        }
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try self.decode(context: context, buffer: &buffer) == .continue, buffer.readableBytes > 0 {}
        return .needMoreData
    }
}
