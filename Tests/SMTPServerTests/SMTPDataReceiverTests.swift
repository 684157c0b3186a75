import LineServer
import NIOCore
import SMTPCore
import Testing

@testable import SMTPServer

@Suite("SMTP DATA receiver")
struct SMTPDataReceiverTests {
    /// Feeds `wire` through the line decoder into a receiver; returns the result (or `nil` when
    /// no terminator was seen) and the bytes left after it.
    static func receive(
        _ wire: [UInt8],
        maximumBytes: Int = 1000,
        maximumLineLength: Int = 100
    ) -> (SMTPDataReceiver.Result?, [UInt8]) {
        var decoder = LineDecoder(maximumLineLength: maximumLineLength)
        var receiver = SMTPDataReceiver(maximumBytes: maximumBytes, maximumLineLength: maximumLineLength)
        var buffer = ByteBuffer(bytes: wire)
        while let frame = decoder.nextFrame(&buffer) {
            if let result = receiver.receive(frame) {
                return (result, Array(buffer.readableBytesView))
            }
        }
        return (nil, Array(buffer.readableBytesView))
    }

    static func receive(_ wire: String) -> (SMTPDataReceiver.Result?, [UInt8]) {
        Self.receive(Array(wire.utf8))
    }

    @Test("dot-unstuffing; the terminator ends the message and nothing after it is read")
    func unstuffing() {
        let (result, rest) = Self.receive("Subject: x\r\n\r\n..one\r\n...two\r\n.\r\nQUIT\r\n")
        #expect(result == .complete(Array("Subject: x\r\n\r\n.one\r\n..two\r\n".utf8)))
        #expect(rest == Array("QUIT\r\n".utf8))
    }

    @Test("an empty message is just the terminator")
    func empty() {
        #expect(Self.receive(".\r\n").0 == .complete([]))
    }

    @Test("8-bit and UTF-8 bytes, a CR inside a line and a NUL arrive byte for byte")
    func eightBit() {
        let body: [UInt8] = Array("Subject: Grüße\r\n\r\nñ 日本語 ".utf8) + [0xFF, 0x00, 0x0D, 0x41] + [13, 10]
        #expect(Self.receive(body + Array(".\r\n".utf8)).0 == .complete(body))
    }

    @Test("a bare LF ends a line, which is stored with CRLF")
    func bareLF() {
        #expect(Self.receive("a\nb\r\n.\r\n").0 == .complete(Array("a\r\nb\r\n".utf8)))
    }

    @Test(
        "only CRLF . CRLF ends the data: bare-LF forms of the terminator are content (no smuggling)",
        arguments: [
            ("a\n.\nMAIL FROM:<x@y>\r\n.\r\n", "a\r\n.\r\nMAIL FROM:<x@y>\r\n"),
            ("a\r\n.\nb\r\n.\r\n", "a\r\n.\r\nb\r\n"),
            ("a\n.\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n")
        ]
    )
    func smuggling(_ wire: String, _ message: String) {
        #expect(Self.receive(wire) == (.complete(Array(message.utf8)), []))
    }

    @Test("past the size limit nothing is kept, the rest is read to the terminator, then 552")
    func tooLarge() {
        let line = String(repeating: "x", count: 98) + "\r\n"
        let (result, rest) = Self.receive(
            Array((String(repeating: line, count: 20) + ".\r\nNOOP\r\n").utf8),
            maximumBytes: 1000
        )
        #expect(
            result
                == .refused(
                    SMTPReply(
                        .exceededStorage,
                        SMTPEnhancedStatusCode(5, 3, 4),
                        "message too large (2000 octets, limit 1000)"
                    )
                )
        )
        #expect(rest == Array("NOOP\r\n".utf8))
    }

    @Test("exactly at the size limit is accepted")
    func atLimit() {
        let line = String(repeating: "x", count: 98) + "\r\n"
        let (result, _) = Self.receive(Array((String(repeating: line, count: 10) + ".\r\n").utf8), maximumBytes: 1000)
        #expect(result == .complete(Array(String(repeating: line, count: 10).utf8)))
    }

    @Test("an over-long line refuses the message with 500, after the terminator")
    func longLine() {
        let (result, rest) = Self.receive(
            Array(("ok\r\n" + String(repeating: "y", count: 150) + "\r\nafter\r\n.\r\nNOOP\r\n").utf8)
        )
        #expect(
            result
                == .refused(
                    SMTPReply(
                        .commandUnrecognized,
                        SMTPEnhancedStatusCode(5, 5, 0),
                        "line 2 of the message is too long (limit 100 octets)"
                    )
                )
        )
        #expect(rest == Array("NOOP\r\n".utf8))
    }

    @Test("no terminator, no message")
    func unterminated() {
        #expect(Self.receive("a\r\nb\r\n").0 == nil)
    }
}
