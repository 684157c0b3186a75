import LineServer
import NIOCore
import Testing

@Suite("Dot-unstuffed text")
struct DotUnstuffedTextTests {
    @Test(
        "a leading dot is removed from every line but the lone dot",
        arguments: [("..", "."), ("..x", ".x"), (".x", "x"), (".", "."), ("x.", "x."), ("", "")]
    )
    func unstuffing(line: String, expected: String) {
        let buffer = ByteBuffer(string: line)
        #expect(Array(DotUnstuffedText.unstuffed(buffer.readableBytesView)) == Array(expected.utf8))
    }

    @Test("lines are held with CRLF up to the limit; past it nothing is held and the size counts on")
    func limit() {
        var text = DotUnstuffedText(maximumBytes: 10)
        let results = [
            text.append(ByteBuffer(string: "abcd").readableBytesView[...]),
            text.append(ByteBuffer(string: "ef").readableBytesView[...])
        ]
        #expect(results == [true, true])
        #expect(text.bytes == Array("abcd\r\nef\r\n".utf8))
        #expect(text.size == 10)
        let over = text.append(ByteBuffer().readableBytesView[...])
        #expect(!over)
        #expect(text.bytes.isEmpty)
        let further = text.append(ByteBuffer(string: "g").readableBytesView[...])
        #expect(!further)
        #expect(text.size == 15)
        #expect(text.bytes.isEmpty)
    }
}
