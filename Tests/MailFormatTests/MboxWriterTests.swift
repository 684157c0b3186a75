import Foundation
import MailFormat
import Testing

@Suite("mbox writing")
struct MboxWriterTests {
    @Test(
        "asctime in UTC, the day padded with a space",
        arguments: [
            (0.0, "Thu Jan  1 00:00:00 1970"),
            (1_796_472_000.0, "Sat Dec 05 12:00:00 2026".replacingOccurrences(of: "05", with: " 5")),
            (951_782_400.0, "Tue Feb 29 00:00:00 2000"),
            (1_703_980_799.9, "Sat Dec 30 23:59:59 2023")
        ]
    )
    func asctime(seconds: Double, expected: String) {
        #expect(MboxWriter.asctime(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("From_ line, LF line ends, every '>*From ' quoted once more, a blank line after")
    func write() {
        var output: [UInt8] = []
        let message = "Subject: x\r\n\r\nFrom here\r\n>From there\r\n> From nowhere\r\nlast"
        MboxWriter.append(
            Array(message.utf8),
            sender: "jane@example.org",
            date: Date(timeIntervalSince1970: 0),
            to: &output
        )
        MboxWriter.append(Array("S: y\n\nb\n".utf8), sender: "", date: Date(timeIntervalSince1970: 60), to: &output)
        #expect(
            String(decoding: output, as: UTF8.self) == """
                From jane@example.org Thu Jan  1 00:00:00 1970
                Subject: x

                >From here
                >>From there
                > From nowhere
                last

                From MAILER-DAEMON Thu Jan  1 00:01:00 1970
                S: y

                b


                """
        )
    }

    @Test("a sender with white space cannot break the From_ line")
    func sender() {
        let line = MboxWriter.separatorLine(sender: "a b\tc@d", date: Date(timeIntervalSince1970: 0))
        #expect(String(decoding: line, as: UTF8.self) == "From a-b-c@d Thu Jan  1 00:00:00 1970\n")
    }

    @Test("written, then read: the same messages, octet for octet (LF)")
    func roundTrip() throws {
        let originals = try MboxReaderTests.read(Array(MboxFixtures.listArchive.utf8))
        var output: [UInt8] = []
        for message in originals {
            MboxWriter.append(
                message.bytes,
                sender: message.envelopeSender,
                date: Date(timeIntervalSince1970: 0),
                to: &output
            )
        }
        let again = try MboxReaderTests.read(output, chunkSize: 13)
        // The last message gains the newline it lacked; everything else is identical.
        #expect(again.map(\.bytes).dropLast() == originals.map(\.bytes).dropLast())
        #expect(again.last?.bytes == (originals.last?.bytes ?? []) + [10])
        #expect(again.map(\.envelopeSender) == originals.map(\.envelopeSender))
    }
}
