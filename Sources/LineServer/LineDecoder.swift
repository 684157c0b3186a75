import NIOCore

/// How a line ended on the wire.
public enum LineEnding: Hashable, Sendable {
    /// `CRLF`, as the line protocols require.
    case crlf
    /// A bare `LF`. The framing layer accepts it and says so; each protocol decides what it means
    /// (NNTP refuses it in the headers of a posted article, SMTP never takes it as part of the end
    /// of `DATA`).
    case lf
}

/// One frame of the client's byte stream.
public enum LineFrame: Hashable, Sendable {
    /// A line without its terminator.
    case line(ByteBuffer, LineEnding)
    /// A line longer than the decoder's limit. Its bytes have been dropped up to and including
    /// the next LF; this frame comes once per such line.
    case overlongLine
}

/// Splits the client's bytes into lines, with a hard limit on what it buffers.
///
/// A line is everything up to an LF; a CR just before the LF is removed and reported as
/// ``LineEnding/crlf``. A CR anywhere else is part of the line. A line longer than
/// `maximumLineLength` yields one ``LineFrame/overlongLine`` as soon as the limit is passed, and
/// the rest of it is dropped as it arrives, so the decoder never holds more than
/// `maximumLineLength + 1` bytes. Bytes after the last LF when the connection closes are dropped:
/// an unterminated line is no command and no part of an article or message.
///
/// Wrap it in `ByteToMessageHandler(_:maximumBufferSize:)` as a second fence.
///
/// The decoding is `@inlinable`, so that the servers' `ByteToMessageHandler` specialises and
/// inlines it as it did when each server had its own copy.
///
/// - SeeAlso: [RFC 3977 §3.1](https://datatracker.ietf.org/doc/html/rfc3977#section-3.1),
///   [RFC 5321 §2.3.8](https://datatracker.ietf.org/doc/html/rfc5321#section-2.3.8)
public struct LineDecoder: ByteToMessageDecoder {
    public typealias InboundOut = LineFrame

    /// The longest line delivered, terminator excluded.
    public let maximumLineLength: Int
    /// Whether bytes are being dropped up to the next LF.
    @usableFromInline
    var isDiscarding = false

    /// Creates a decoder that delivers lines of at most `maximumLineLength` octets.
    public init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
    }

    @inlinable
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = self.nextFrame(&buffer) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    @inlinable
    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while let frame = self.nextFrame(&buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
        }
        // An unterminated last line is no command and no part of an article or message.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// The next frame in `buffer`, consuming its bytes, or `nil` when more bytes are needed.
    @inlinable
    public mutating func nextFrame(_ buffer: inout ByteBuffer) -> LineFrame? {
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
                // Over-long: drop it through its LF if that is here, else drop all and keep dropping.
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
            var ending = LineEnding.lf
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
