import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import NNTPServer

@Suite("Line framing")
struct NNTPLineDecoderTests {
    @Test("every split of the input gives the same lines")
    func verifier() throws {
        let input = "GROUP a.b\r\nLIST\nARTICLE 1\r\n\r\n.\r\n"
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                (
                    input,
                    [
                        .line(ByteBuffer(string: "GROUP a.b"), .crlf),
                        .line(ByteBuffer(string: "LIST"), .lf),
                        .line(ByteBuffer(string: "ARTICLE 1"), .crlf),
                        .line(ByteBuffer(), .crlf),
                        .line(ByteBuffer(string: "."), .crlf)
                    ]
                )
            ],
            decoderFactory: { NNTPLineDecoder(maximumLineLength: 64) }
        )
    }

    @Test("an over-long line is reported once and skipped, in every split")
    func overlongVerifier() throws {
        let long = String(repeating: "x", count: 100)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                ("\(long)\r\nQUIT\r\n", [.overlongLine, .line(ByteBuffer(string: "QUIT"), .crlf)])
            ],
            decoderFactory: { NNTPLineDecoder(maximumLineLength: 16) }
        )
    }

    @Test("80 KB without a newline is never buffered whole and yields one frame")
    func eightyKilobytes() throws {
        let channel = EmbeddedChannel()
        let limit = 64 * 1024
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(NNTPLineDecoder(maximumLineLength: limit), maximumBufferSize: limit + 2)
        )
        let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 1024)
        for _ in 0..<80 {
            try channel.writeInbound(chunk)
        }
        try channel.writeInbound(ByteBuffer(string: "tail\r\nQUIT\r\n"))
        #expect(try channel.readInbound(as: NNTPLineFrame.self) == .overlongLine)
        #expect(try channel.readInbound(as: NNTPLineFrame.self) == .line(ByteBuffer(string: "QUIT"), .crlf))
        #expect(try channel.readInbound(as: NNTPLineFrame.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test("a line of exactly the limit is delivered; one more octet is over-long")
    func limit() {
        var decoder = NNTPLineDecoder(maximumLineLength: 8)
        var buffer = ByteBuffer(string: "12345678\r\n123456789\r\nok\n")
        #expect(decoder.nextFrame(&buffer) == .line(ByteBuffer(string: "12345678"), .crlf))
        #expect(decoder.nextFrame(&buffer) == .overlongLine)
        #expect(decoder.nextFrame(&buffer) == .line(ByteBuffer(string: "ok"), .lf))
        #expect(decoder.nextFrame(&buffer) == nil)
    }

    @Test("an unterminated last line is dropped at EOF")
    func unterminated() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NNTPLineDecoder()))
        try channel.writeInbound(ByteBuffer(string: "QUIT\r\nPOS"))
        #expect(try channel.readInbound(as: NNTPLineFrame.self) == .line(ByteBuffer(string: "QUIT"), .crlf))
        _ = try channel.finish()
        #expect(try channel.readInbound(as: NNTPLineFrame.self) == nil)
    }
}
