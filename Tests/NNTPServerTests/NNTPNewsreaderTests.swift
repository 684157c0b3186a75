import FORLLMTestSupport
import Foundation
import NNTPServer
import Testing

/// End to end over TCP: the command sequences real newsreaders send.
@Suite("Newsreader sessions", .endToEnd)
struct NNTPNewsreaderTests {
    @Test("Thunderbird: MODE READER, LIST, NEWGROUPS, GROUP, XOVER, XHDR, ARTICLE, XPAT, LISTGROUP")
    func thunderbird() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("MODE READER").code == 200)

            #expect(try await client.command("LIST").code == 215)
            let active = try await client.readMultiline()
            #expect(active.contains("forllm.general 3 1 y"))
            // Thunderbird skips groups whose low-water mark is 0.
            #expect(active.allSatisfy { $0.split(separator: " ")[2] != "0" })

            #expect(try await client.command("NEWGROUPS 20230518 000000 GMT").code == 231)
            #expect(try await client.readMultiline().contains("forllm.general 3 1 y"))

            let group = try await client.command("GROUP forllm.general")
            #expect(group.code == 211 && group.text == "3 1 3 forllm.general")

            #expect(try await client.command("XOVER 1-3").code == 224)
            let overview = try await client.readMultiline()
            #expect(overview.count == 3)
            for (index, line) in overview.enumerated() {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                #expect(fields.count >= 8)
                #expect(fields[0] == "\(index + 1)")
            }

            #expect(try await client.command("XHDR subject 1-3").code == 221)
            #expect(try await client.readMultiline() == ["1 Hello world", "2 Re: Hello world", "3 Tabs in subject"])
            #expect(try await client.command("XHDR x-forllm-persona 1-3").code == 221)
            #expect(try await client.readMultiline() == ["1 ", "2 ", "3 "])

            let article = try await client.command("ARTICLE 1")
            #expect(article.code == 220 && article.text.hasPrefix("1 <one@test.example>"))
            let lines = try await client.readMultiline()
            #expect(lines.contains(".A line starting with a dot"))
            #expect(lines.contains("..two dots"))
            #expect(try await client.command("ARTICLE <two@test.example>").code == 220)
            _ = try await client.readMultiline()

            #expect(try await client.command("XPAT SUBJECT  1- *[Rr][Ee]:*").code == 221)
            #expect(try await client.readMultiline() == ["2 Re: Hello world"])

            #expect(try await client.command("LISTGROUP forllm.general").code == 211)
            #expect(try await client.readMultiline() == ["1", "2", "3"])
            #expect(try await client.command("QUIT").code == 205)
        }
    }

    @Test("Thunderbird: POST straight after the greeting, in many small writes")
    func thunderbirdPost() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("POST").code == 340)
            let article =
                "From: Eve <eve@example.com>\r\nNewsgroups: forllm.general\r\nSubject: small writes\r\n"
                + "Message-ID: <small@example.com>\r\n\r\nHello\r\n..dot line\r\n.\r\n"
            var bytes = Array(article.utf8)[...]
            while !bytes.isEmpty {
                let chunk = bytes.prefix(7)
                bytes = bytes.dropFirst(7)
                try await client.sendRaw(Array(chunk))
            }
            let status = try await client.readStatus()
            #expect(status.code == 240)
            #expect(
                String(decoding: server.backend.posted.last ?? [], as: UTF8.self).hasSuffix(
                    "\r\n\r\nHello\r\n.dot line\r\n"
                )
            )
            let reader = try await server.connectAndGreet()
            #expect(try await reader.command("GROUP forllm.general").text == "4 1 4 forllm.general")
            #expect(try await reader.command("BODY 4").code == 222)
            #expect(try await reader.readMultiline() == ["Hello", ".dot line"])
        }
    }

    @Test("slrn: LIST OVERVIEW.FMT without CAPABILITIES, then XOVER without argument")
    func slrn() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("MODE READER").code == 200)
            #expect(try await client.command("LIST OVERVIEW.FMT").code == 215)
            #expect(
                try await client.readMultiline()
                    == ["Subject:", "From:", "Date:", "Message-ID:", "References:", "Bytes:", "Lines:", "Xref:full"]
            )
            #expect(try await client.command("GROUP forllm.general").code == 211)
            #expect(try await client.command("XOVER").code == 224)
            let lines = try await client.readMultiline()
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("1\tHello world\t") == true)
            #expect(lines.first?.hasSuffix("\tXref: test.example forllm.general:1") == true)
        }
    }

    @Test("tin: CAPABILITIES first, then LIST OVERVIEW.FMT in RFC 3977 form with Xref:full")
    func tin() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("CAPABILITIES").code == 101)
            let capabilities = try await client.readMultiline()
            #expect(capabilities.first == "VERSION 2")
            #expect(capabilities.contains("READER"))
            #expect(capabilities.contains("OVER MSGID"))
            #expect(capabilities.contains { $0.hasPrefix("IMPLEMENTATION ") })
            #expect(try await client.command("LIST OVERVIEW.FMT").code == 215)
            let format = try await client.readMultiline()
            #expect(Array(format.suffix(3)) == [":bytes", ":lines", "Xref:full"])
            #expect(try await client.command("LIST NEWSGROUPS").code == 215)
            #expect(try await client.readMultiline().contains("forllm.general\tGeneral discussion"))
            #expect(try await client.command("GROUP forllm.general").code == 211)
            #expect(try await client.command("OVER 1-3").code == 224)
            #expect(try await client.readMultiline().count == 3)
            #expect(try await client.command("HEAD 2").code == 221)
            #expect(try await client.readMultiline().contains(".X-Dotted: header starting with a dot"))
        }
    }

    @Test("nntplib-like: CAPABILITIES, GROUP, OVER, HDR, BODY by message-id, DATE, QUIT")
    func nntplib() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("CAPABILITIES").code == 101)
            _ = try await client.readMultiline()
            #expect(try await client.command("GROUP forllm.general").code == 211)
            #expect(try await client.command("OVER 2-3").code == 224)
            #expect(try await client.readMultiline().count == 2)
            #expect(try await client.command("HDR From 1-").code == 225)
            #expect(try await client.readMultiline().first == "1 Alice <alice@example.com>")
            #expect(try await client.command("BODY <three@test.example>").code == 222)
            #expect(try await client.readMultiline() == ["Third."])
            #expect(try await client.command("DATE").text == "20231114221320")
            #expect(try await client.command("QUIT").code == 205)
            #expect(try await client.readUntilClosed().isEmpty)
        }
    }

    @Test("50 pipelined commands in one write are answered in order")
    func pipelining() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            var batch = "GROUP forllm.general\r\n"
            for index in 0..<49 {
                batch += "STAT \(index % 3 + 1)\r\n"
            }
            try await client.sendRaw(batch)
            #expect(try await client.readStatus().code == 211)
            for index in 0..<49 {
                let status = try await client.readStatus()
                #expect(status.code == 223)
                #expect(status.text.hasPrefix("\(index % 3 + 1) "))
            }
        }
    }
}
