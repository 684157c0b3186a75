import NIOCore
import SMTPCore
import Testing

@Suite("SMTP replies")
struct SMTPReplyTests {
    @Test(
        "encoding, byte for byte",
        arguments: [
            (SMTPReply(.serviceReady, "mail.test ESMTP FORLLM ready"), "220 mail.test ESMTP FORLLM ready\r\n"),
            (SMTPReply(.ok, SMTPEnhancedStatusCode(2, 1, 0), "<a@b> sender OK"), "250 2.1.0 <a@b> sender OK\r\n"),
            (
                SMTPReply(.ok, lines: ["mail.test greets c", "8BITMIME", "SIZE 1024"]),
                "250-mail.test greets c\r\n250-8BITMIME\r\n250 SIZE 1024\r\n"
            ),
            (
                SMTPReply(.mailboxUnavailable, SMTPEnhancedStatusCode(5, 1, 1), lines: ["first", "second"]),
                "550-5.1.1 first\r\n550 5.1.1 second\r\n"
            ),
            (SMTPReply(.ok, lines: ["", ""]), "250-\r\n250\r\n"),
            (SMTPReply(.ok, SMTPEnhancedStatusCode(2, 0, 0), ""), "250 2.0.0\r\n"),
            (SMTPReply(.syntaxError, "bad\r\nline\u{0}"), "501 bad  line \r\n")
        ]
    )
    func encodes(_ reply: SMTPReply, _ wire: String) {
        var buffer = ByteBuffer()
        let written = buffer.writeSMTPReply(reply)
        #expect(String(buffer: buffer) == wire)
        #expect(written == wire.utf8.count)
        #expect(reply.description == wire)
    }

    @Test("a reply has at least one line; 2xx and 3xx are positive")
    func lines() {
        #expect(SMTPReply(.ok, lines: []).lines == [""])
        #expect(SMTPReply(.startMailInput, "go").isPositive)
        #expect(!SMTPReply(.localError, "later").isPositive)
        #expect(SMTPEnhancedStatusCode(4, 5, 3).description == "4.5.3")
        #expect(SMTPReplyCode.exceededStorage.description == "552")
    }
}
