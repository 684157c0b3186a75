import ArgumentParser
import Foundation

/// `mbox`: writes a mailing-list archive for `forllm import mbox` to chew on.
struct MboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbox",
        abstract:
            "Write an mboxrd archive of COUNT messages of about 1 KB (threads of ten, a tenth without Message-ID).",
        discussion: """
            Every tenth message starts a thread; the others reply to the one before (In-Reply-To and
            References). One message in ten has no Message-ID (FORLLM derives one), and bodies have a
            `>From ` line now and then, as archives do.
            """
    )
    @Option(help: "Messages in all.") var count = 100_000
    @Option(help: "The file to write.") var output: String

    func run() throws {
        guard FileManager.default.createFile(atPath: self.output, contents: nil),
            let file = FileHandle(forWritingAtPath: self.output)
        else { throw ValidationError("cannot write \(self.output)") }
        defer { try? file.close() }
        let run = BenchArticle.runID
        var chunk = ""
        var root = ""
        var previous = ""
        for number in 0..<self.count {
            let id = "<mbox.\(run).\(number)@list.example>"
            var headers = "From list-bounces@list.example Sat Dec  5 10:00:00 2026\n"
            headers += "From: Member \(number % 97) <member\(number % 97)@example.org>\n"
            headers += "To: list@list.example\n"
            headers += "Subject: \(number % 10 == 0 ? "" : "Re: ")Topic \(number / 10)\n"
            headers += "Date: Sat, 05 Dec 2026 10:\(String(format: "%02d", number % 60)):00 +0000\n"
            if number % 10 != 3 { headers += "Message-ID: \(id)\n" }
            if number % 10 != 0 {
                headers += "In-Reply-To: \(previous)\nReferences: \(root == previous ? root : root + " " + previous)\n"
            }
            var body = ""
            for line in 1...9 {
                body += "Line \(line) of message \(number): the quick brown fox jumps over the lazy dog again.\n"
            }
            if number % 50 == 7 { body += ">From the archive, quoted once by mboxrd.\n" }
            chunk += headers + "\n" + body + "\n"
            if number % 10 == 0 { root = id }
            previous = number % 10 == 3 ? previous : id
            if chunk.utf8.count > 1 << 20 {
                file.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        file.write(Data(chunk.utf8))
    }
}
