import NIOCore

/// How a line ended on the wire.
public enum SMTPLineEnding: Hashable, Sendable {
    /// `CRLF`, as the protocol requires.
    case crlf
    /// A bare `LF`: tolerated as a line end, never as part of the end of `DATA`.
    case lf
}

/// One frame of the client's byte stream.
public enum SMTPLineFrame: Hashable, Sendable {
    /// A line without its terminator.
    case line(ByteBuffer, SMTPLineEnding)
    /// A line longer than the decoder's limit. Its bytes have been dropped up to and including
    /// the next LF; this frame comes once per such line.
    case overlongLine
}

/// Splits the client's bytes into lines, with a hard limit on what it buffers.
///
/// A line is everything up to an LF; a CR just before the LF is removed and reported as
/// ``SMTPLineEnding/crlf``. A CR anywhere else is part of the line. A line longer than
/// `maximumLineLength` yields one ``SMTPLineFrame/overlongLine`` as soon as the limit is passed,
/// and the rest of it is dropped as it arrives, so the decoder never holds more than
/// `maximumLineLength + 1` bytes. Bytes after the last LF when the connection closes are dropped:
/// an unterminated line is no command and no part of a message.
///
/// Wrap it in `ByteToMessageHandler(_:maximumBufferSize:)` as a second fence.
///
/// - SeeAlso: [RFC 5321 §2.3.8](https://datatracker.ietf.org/doc/html/rfc5321#section-2.3.8)
public struct SMTPLineDecoder: ByteToMessageDecoder {
    public typealias InboundOut = SMTPLineFrame

    /// The longest line delivered, terminator excluded.
    public let maximumLineLength: Int
    /// Whether bytes are being dropped up to the next LF.
    private var isDiscarding = false

    /// Creates a decoder that delivers lines of at most `maximumLineLength` octets.
    public init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = self.nextFrame(&buffer) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while let frame = self.nextFrame(&buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// The next frame in `buffer`, consuming its bytes, or `nil` when more bytes are needed.
    mutating func nextFrame(_ buffer: inout ByteBuffer) -> SMTPLineFrame? {
        while true {
            let view = buffer.readableBytesView
            if self.isDiscarding {
                guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                    buffer.moveReaderIndex(forwardBy: view.count)
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
                self.isDiscarding = false
                continue
            }
            // Look no further than one byte past the longest line with its CR.
            let searchEnd = view.index(view.startIndex, offsetBy: Swift.min(view.count, self.maximumLineLength + 2))
            guard let newline = view[..<searchEnd].firstIndex(of: UInt8(ascii: "\n")) else {
                guard view.count > self.maximumLineLength + 1 else {
                    return nil
                }
                if let newline = view[searchEnd...].firstIndex(of: UInt8(ascii: "\n")) {
                    buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
                } else {
                    buffer.moveReaderIndex(forwardBy: view.count)
                    self.isDiscarding = true
                }
                return .overlongLine
            }
            guard var line = buffer.readSlice(length: newline - view.startIndex) else {
                return nil
            }
            buffer.moveReaderIndex(forwardBy: 1)
            var ending = SMTPLineEnding.lf
            if line.readableBytesView.last == UInt8(ascii: "\r") {
                line.moveWriterIndex(to: line.writerIndex - 1)
                ending = .crlf
            }
            guard line.readableBytes <= self.maximumLineLength else {
                return .overlongLine
            }
            return .line(line, ending)
        }
    }
}
