import NIOCore
import NIOTestUtils
import Testing

@testable import SMTPServer

@Suite("SMTP line decoder")
struct SMTPLineDecoderTests {
    @Test("lines split every possible way decode the same")
    func verifier() throws {
        let input = ByteBuffer(string: "EHLO a\r\nMAIL FROM:<>\nRCPT TO:<x@y>\r\n\r\nDATA\r\n")
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (
                    input,
                    [
                        .line(ByteBuffer(string: "EHLO a"), .crlf),
                        .line(ByteBuffer(string: "MAIL FROM:<>"), .lf),
                        .line(ByteBuffer(string: "RCPT TO:<x@y>"), .crlf),
                        .line(ByteBuffer(), .crlf),
                        .line(ByteBuffer(string: "DATA"), .crlf)
                    ]
                )
            ],
            decoderFactory: { SMTPLineDecoder(maximumLineLength: 64) }
        )
    }

    @Test("an over-long line is reported once and dropped through its LF, whatever the chunks")
    func overlong() {
        for chunkSize in [1, 7, 100, 10_000] {
            var decoder = SMTPLineDecoder(maximumLineLength: 10)
            let wire = Array(("NOOP\r\n" + String(repeating: "z", count: 5000) + "\r\nQUIT\r\n").utf8)
            var buffer = ByteBuffer()
            var frames: [SMTPLineFrame] = []
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

    @Test("a line exactly at the limit passes; CR before LF is not counted")
    func atLimit() {
        var decoder = SMTPLineDecoder(maximumLineLength: 4)
        var buffer = ByteBuffer(string: "ABCD\r\nABCDE\r\n")
        #expect(decoder.nextFrame(&buffer) == .line(ByteBuffer(string: "ABCD"), .crlf))
        #expect(decoder.nextFrame(&buffer) == .overlongLine)
        #expect(decoder.nextFrame(&buffer) == nil)
    }
}
