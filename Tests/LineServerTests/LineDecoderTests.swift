import LineServer
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite("Line framing")
struct LineDecoderTests {
    @Test("every split of the input gives the same lines")
    func verifier() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                (
                    "GROUP a.b\r\nLIST\nARTICLE 1\r\n\r\n.\r\n",
                    [
                        .line(ByteBuffer(string: "GROUP a.b"), .crlf),
                        .line(ByteBuffer(string: "LIST"), .lf),
                        .line(ByteBuffer(string: "ARTICLE 1"), .crlf),
                        .line(ByteBuffer(), .crlf),
                        .line(ByteBuffer(string: "."), .crlf)
                    ]
                ),
                (
                    "EHLO a\r\nMAIL FROM:<>\nRCPT TO:<x@y>\r\n\r\nDATA\r\n",
                    [
                        .line(ByteBuffer(string: "EHLO a"), .crlf),
                        .line(ByteBuffer(string: "MAIL FROM:<>"), .lf),
                        .line(ByteBuffer(string: "RCPT TO:<x@y>"), .crlf),
                        .line(ByteBuffer(), .crlf),
                        .line(ByteBuffer(string: "DATA"), .crlf)
                    ]
                )
            ],
            decoderFactory: { LineDecoder(maximumLineLength: 64) }
        )
    }

    @Test("an over-long line is reported once and skipped, in every split")
    func overlongVerifier() throws {
        let long = String(repeating: "x", count: 100)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                ("\(long)\r\nQUIT\r\n", [.overlongLine, .line(ByteBuffer(string: "QUIT"), .crlf)])
            ],
            decoderFactory: { LineDecoder(maximumLineLength: 16) }
        )
    }

    @Test("an over-long line is reported once and dropped through its LF, whatever the chunks")
    func overlongChunks() {
        for chunkSize in [1, 7, 100, 10_000] {
            var decoder = LineDecoder(maximumLineLength: 10)
            let wire = Array(("NOOP\r\n" + String(repeating: "z", count: 5000) + "\r\nQUIT\r\n").utf8)
            var buffer = ByteBuffer()
            var frames: [LineFrame] = []
            for start in stride(from: 0, to: wire.count, by: chunkSize) {
                buffer.writeBytes(wire[start..<min(start + chunkSize, wire.count)])
                while let frame = decoder.nextFrame(&buffer) {
                    frames.append(frame)
                }
                #expect(buffer.readableBytes <= 12)
            }
            #expect(
                frames == [
                    .line(ByteBuffer(string: "NOOP"), .crlf), .overlongLine, .line(ByteBuffer(string: "QUIT"), .crlf)
                ],
                "chunk size \(chunkSize)"
            )
        }
    }

    @Test("80 KB without a newline is never buffered whole and yields one frame")
    func eightyKilobytes() throws {
        let channel = EmbeddedChannel()
        let limit = 64 * 1024
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(LineDecoder(maximumLineLength: limit), maximumBufferSize: limit + 2)
        )
        let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 1024)
        for _ in 0..<80 {
            try channel.writeInbound(chunk)
        }
        try channel.writeInbound(ByteBuffer(string: "tail\r\nQUIT\r\n"))
        #expect(try channel.readInbound(as: LineFrame.self) == .overlongLine)
        #expect(try channel.readInbound(as: LineFrame.self) == .line(ByteBuffer(string: "QUIT"), .crlf))
        #expect(try channel.readInbound(as: LineFrame.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test("a line of exactly the limit is delivered; one more octet is over-long; CR before LF is not counted")
    func limit() {
        var decoder = LineDecoder(maximumLineLength: 8)
        var buffer = ByteBuffer(string: "12345678\r\n123456789\r\nok\n")
        #expect(decoder.nextFrame(&buffer) == .line(ByteBuffer(string: "12345678"), .crlf))
        #expect(decoder.nextFrame(&buffer) == .overlongLine)
        #expect(decoder.nextFrame(&buffer) == .line(ByteBuffer(string: "ok"), .lf))
        #expect(decoder.nextFrame(&buffer) == nil)

        var short = LineDecoder(maximumLineLength: 4)
        var bytes = ByteBuffer(string: "ABCD\r\nABCDE\r\n")
        #expect(short.nextFrame(&bytes) == .line(ByteBuffer(string: "ABCD"), .crlf))
        #expect(short.nextFrame(&bytes) == .overlongLine)
        #expect(short.nextFrame(&bytes) == nil)
    }

    @Test("an unterminated last line is dropped at EOF")
    func unterminated() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maximumLineLength: 512)))
        try channel.writeInbound(ByteBuffer(string: "QUIT\r\nPOS"))
        #expect(try channel.readInbound(as: LineFrame.self) == .line(ByteBuffer(string: "QUIT"), .crlf))
        _ = try channel.finish()
        #expect(try channel.readInbound(as: LineFrame.self) == nil)
    }
}
