import Foundation
import NIOCore
import NNTPCore
import Synchronization
import Testing

@testable import NNTPServer

/// The executor against the fake backend: exact responses and context changes.
@Suite("Command executor")
struct NNTPCommandExecutorTests {
    /// Collects what the executor writes, write by write.
    final class Collector: Sendable {
        private let writes = Mutex<[String]>([])

        var all: [String] { self.writes.withLock { $0 } }
        var text: String { self.all.joined() }

        func append(_ buffer: ByteBuffer) {
            self.writes.withLock { $0.append(String(buffer: buffer)) }
        }
    }

    struct Run {
        var backend: FakeNNTPBackend
        var executor: NNTPCommandExecutor
        var context = NNTPSessionContext()

        init(bulkCount: Int = 0, batchSize: Int = 1000) {
            self.backend = FakeNNTPBackend.standard(bulkCount: bulkCount)
            self.executor = NNTPCommandExecutor(
                backend: self.backend,
                configuration: NNTPSessionConfiguration(),
                batchSize: batchSize,
                now: { Date(timeIntervalSince1970: 1_700_000_000) }
            )
        }

        /// Runs one command line and returns its response and how many writes it took.
        mutating func callAsFunction(_ line: String) async throws -> (text: String, writes: Int) {
            let command = try NNTPCommandParser.parseCommand(Array(line.utf8))
            let collector = Collector()
            var writer = NNTPResponseWriter(chunkSize: NNTPDefaults.responseChunkSize) { collector.append($0) }
            try await self.executor.execute(command, context: &self.context, writer: &writer)
            return (collector.text, collector.all.count)
        }
    }

    @Test("GROUP selects the group and its first article")
    func group() async throws {
        var run = Run()
        #expect(try await run("GROUP forllm.general").text == "211 3 1 3 forllm.general\r\n")
        #expect(run.context.selectedGroup == "forllm.general")
        #expect(run.context.currentArticle == 1)
        #expect(try await run("GROUP no.such").text == "411 no such newsgroup\r\n")
        #expect(run.context.selectedGroup == "forllm.general")
        #expect(try await run("GROUP forllm.empty").text == "211 0 1 0 forllm.empty\r\n")
        #expect(run.context.currentArticle == nil)
    }

    @Test("LISTGROUP with and without a range")
    func listGroup() async throws {
        var run = Run()
        #expect(try await run("LISTGROUP").text == "412 no newsgroup selected\r\n")
        #expect(
            try await run("LISTGROUP forllm.general").text
                == "211 3 1 3 forllm.general list follows\r\n1\r\n2\r\n3\r\n.\r\n"
        )
        #expect(try await run("LISTGROUP forllm.general 2-").text.hasSuffix("list follows\r\n2\r\n3\r\n.\r\n"))
        #expect(try await run("LISTGROUP forllm.general 3-2").text.hasSuffix("list follows\r\n.\r\n"))
        #expect(
            try await run("LISTGROUP forllm.general 0-9999999999999999").text.hasSuffix("\r\n1\r\n2\r\n3\r\n.\r\n")
        )
        #expect(try await run("LISTGROUP forllm.empty").text == "211 0 1 0 forllm.empty list follows\r\n.\r\n")
    }

    @Test("LAST and NEXT walk the group")
    func lastNext() async throws {
        var run = Run()
        #expect(try await run("NEXT").text == "412 no newsgroup selected\r\n")
        _ = try await run("GROUP forllm.general")
        #expect(try await run("LAST").text == "422 no previous article in this group\r\n")
        #expect(try await run("NEXT").text == "223 2 <two@test.example> retrieved\r\n")
        #expect(try await run("NEXT").text == "223 3 <three@test.example> retrieved\r\n")
        #expect(try await run("NEXT").text == "421 no next article in this group\r\n")
        #expect(try await run("LAST").text == "223 2 <two@test.example> retrieved\r\n")
        _ = try await run("GROUP forllm.empty")
        #expect(try await run("NEXT").text == "420 current article number is invalid\r\n")
    }

    @Test("ARTICLE, HEAD, BODY and STAT by number, by message-id and current; dot-stuffed, in one write")
    func articles() async throws {
        var run = Run()
        #expect(try await run("ARTICLE 1").text == "412 no newsgroup selected\r\n")
        #expect(try await run("ARTICLE").text == "412 no newsgroup selected\r\n")
        let byID = try await run("BODY <one@test.example>")
        #expect(
            byID.text
                == "222 0 <one@test.example> body\r\nFirst line.\r\n..A line starting with a dot\r\n...two dots\r\n.\r\n"
        )
        #expect(byID.writes == 1)
        _ = try await run("GROUP forllm.general")
        let head = try await run("HEAD 2").text
        #expect(head.hasPrefix("221 2 <two@test.example> head\r\nFrom: Bob <bob@example.com>\r\n"))
        #expect(head.contains("\r\n..X-Dotted: header starting with a dot\r\n"))
        #expect(head.hasSuffix("\tsecond\r\n.\r\n"))
        #expect(run.context.currentArticle == 2)
        let article = try await run("ARTICLE").text
        #expect(article.hasPrefix("220 2 <two@test.example> article\r\n"))
        #expect(article.hasSuffix("\r\n\r\nAnswer.\r\n.\r\n"))
        #expect(try await run("ARTICLE <one@test.example>").text.hasPrefix("220 1 <one@test.example> article\r\n"))
        #expect(run.context.currentArticle == 2)
        #expect(try await run("ARTICLE 99").text == "423 no article with that number\r\n")
        #expect(try await run("ARTICLE 0").text == "423 no article with that number\r\n")
        #expect(try await run("ARTICLE <nope@x>").text == "430 no such article\r\n")
        #expect(try await run("STAT 3").text == "223 3 <three@test.example> status\r\n")
        #expect(run.context.currentArticle == 3)
        #expect(try await run("STAT").text == "223 3 <three@test.example> status\r\n")
        #expect(try await run("STAT <one@test.example>").text == "223 1 <one@test.example> status\r\n")
        #expect(try await run("STAT <nope@x>").text == "430 no such article\r\n")
        #expect(try await run("STAT 42").text == "423 no article with that number\r\n")
    }

    @Test("OVER/XOVER: ranges, current, message-id, empty and huge ranges")
    func over() async throws {
        var run = Run()
        #expect(try await run("XOVER 1-2").text == "412 no newsgroup selected\r\n")
        _ = try await run("GROUP forllm.general")
        let lines = try await run("XOVER 1-2").text.components(separatedBy: "\r\n")
        #expect(lines[0] == "224 overview information follows")
        #expect(lines[1].hasPrefix("1\tHello world\tAlice <alice@example.com>\t"))
        #expect(lines[1].split(separator: "\t", omittingEmptySubsequences: false).count == 9)
        #expect(lines[2].hasPrefix("2\tRe: Hello world\t"))
        #expect(lines[3] == ".")
        #expect(try await run("XOVER").text.hasPrefix("224 overview information follows\r\n1\t"))
        #expect(try await run("OVER 0-9999999999999999").text.hasSuffix("\r\n.\r\n"))
        #expect(try await run("OVER 4-").text == "423 no articles in that range\r\n")
        #expect(try await run("OVER 3-1").text == "423 no articles in that range\r\n")
        let byID = try await run("OVER <two@test.example>").text
        #expect(byID.hasPrefix("224 overview information follows\r\n0\tRe: Hello world\t"))
        #expect(try await run("OVER <nope@x>").text == "430 no such article\r\n")
        _ = try await run("GROUP forllm.empty")
        #expect(try await run("XOVER").text == "420 current article number is invalid\r\n")
    }

    @Test("OVER pages through the backend and writes large answers in chunks")
    func overPaging() async throws {
        var run = Run(bulkCount: 2500, batchSize: 1000)
        _ = try await run("GROUP misc.bulk")
        let result = try await run("OVER 1-")
        let lines = result.text.components(separatedBy: "\r\n")
        #expect(lines.first == "224 overview information follows")
        #expect(lines.count == 2500 + 3)
        #expect(lines[2500].hasPrefix("2500\t"))
        #expect(lines[2501] == ".")
        #expect(result.writes > 1)
        let middle = try await run("OVER 999-1001").text.components(separatedBy: "\r\n")
        #expect(middle.count == 3 + 3)
    }

    @Test("HDR, XHDR and XPAT page through the backend: every number once, in order, XPAT filtering each page")
    func headerPaging() async throws {
        var run = Run(bulkCount: 2500, batchSize: 1000)
        _ = try await run("GROUP misc.bulk")
        let hdr = try await run("HDR Subject 1-").text.components(separatedBy: "\r\n")
        #expect(hdr.first == "225 headers follow")
        #expect(Array(hdr.dropFirst().prefix(2500)) == (1...2500).map { "\($0) Bulk \($0 - 1)" })
        #expect(hdr.suffix(2) == [".", ""])
        // A range ending inside the second page, and a pattern matching on two pages.
        let xhdr = try await run("XHDR subject 998-1003").text
        #expect(xhdr == "221 subject follows\r\n" + (998...1003).map { "\($0) Bulk \($0 - 1)\r\n" }.joined() + ".\r\n")
        let xpat = try await run("XPAT subject 1- *99").text.components(separatedBy: "\r\n")
        let matching = (1...2500).filter { String($0 - 1).hasSuffix("99") }.map { "\($0) Bulk \($0 - 1)" }
        #expect(Array(xpat.dropFirst().dropLast(2)) == matching)
        #expect(matching.count == 25)
    }

    @Test("HDR, XHDR and XPAT")
    func headers() async throws {
        var run = Run()
        #expect(try await run("XHDR subject 1-3").text == "412 no newsgroup selected\r\n")
        _ = try await run("GROUP forllm.general")
        #expect(
            try await run("XHDR subject 1-3").text
                == "221 subject follows\r\n1 Hello world\r\n2 Re: Hello world\r\n3 Tabs in subject\r\n.\r\n"
        )
        #expect(try await run("HDR Subject 2").text == "225 headers follow\r\n2 Re: Hello world\r\n.\r\n")
        #expect(
            try await run("XHDR x-nobody-has-this 1-2").text == "221 x-nobody-has-this follows\r\n1 \r\n2 \r\n.\r\n"
        )
        #expect(try await run("XHDR subject 7-9").text == "221 subject follows\r\n.\r\n")
        #expect(try await run("HDR subject 7-9").text == "423 no articles in that range\r\n")
        #expect(try await run("XHDR x-folded 2").text == "221 x-folded follows\r\n2 first second\r\n.\r\n")
        #expect(
            try await run("HDR x-folded <two@test.example>").text == "225 headers follow\r\n0 first second\r\n.\r\n"
        )
        #expect(
            try await run("XHDR Subject <one@test.example>").text
                == "221 subject follows\r\n<one@test.example> Hello world\r\n.\r\n"
        )
        #expect(try await run("HDR :lines <one@test.example>").text == "225 headers follow\r\n0 3\r\n.\r\n")
        #expect(try await run("HDR subject <nope@x>").text == "430 no such article\r\n")
        #expect(
            try await run("XPAT SUBJECT  1- *[Hh][Ee][Ll][Ll][Oo]*").text
                == "221 subject matches follow\r\n1 Hello world\r\n2 Re: Hello world\r\n.\r\n"
        )
        #expect(try await run("XPAT subject 1- nothing*").text == "221 subject matches follow\r\n.\r\n")
    }

    @Test("LIST variants, and OVERVIEW.FMT depending on CAPABILITIES")
    func lists() async throws {
        var run = Run()
        #expect(
            try await run("LIST").text
                == "215 list of newsgroups follows\r\nforllm.empty 0 1 y\r\nforllm.general 3 1 y\r\nmisc.bulk 0 1 y\r\n.\r\n"
        )
        #expect(
            try await run("LIST ACTIVE forllm.g*").text
                == "215 list of newsgroups follows\r\nforllm.general 3 1 y\r\n.\r\n"
        )
        #expect(
            try await run("LIST ACTIVE *,!forllm.*").text
                == "215 list of newsgroups follows\r\nmisc.bulk 0 1 y\r\n.\r\n"
        )
        #expect(
            try await run("LIST NEWSGROUPS forllm.general").text
                == "215 list of newsgroup descriptions follows\r\nforllm.general\tGeneral discussion\r\n.\r\n"
        )
        #expect(try await run("LIST COUNTS forllm.general").text.contains("\r\nforllm.general 3 1 3 y\r\n"))
        #expect(
            try await run("LIST ACTIVE.TIMES forllm.general").text.contains("\r\nforllm.general 1700000000 admin\r\n")
        )
        #expect(try await run("LIST DISTRIB.PATS").text == "215 default distributions follow\r\n.\r\n")
        #expect(
            try await run("LIST HEADERS").text
                == "215 headers and metadata items supported\r\n:\r\n:bytes\r\n:lines\r\n.\r\n"
        )
        #expect(try await run("LIST MOTD").text.hasPrefix("503 "))
        #expect(
            try await run("LIST OVERVIEW.FMT").text
                == "215 order of fields in overview database\r\nSubject:\r\nFrom:\r\nDate:\r\nMessage-ID:\r\nReferences:\r\nBytes:\r\nLines:\r\nXref:full\r\n.\r\n"
        )
        run.context.sentCapabilities = true
        #expect(
            try await run("LIST OVERVIEW.FMT").text.contains("References:\r\n:bytes\r\n:lines\r\nXref:full\r\n.\r\n")
        )
    }

    @Test("NEWGROUPS and NEWNEWS, with four- and two-digit years")
    func newStuff() async throws {
        var run = Run()
        #expect(
            try await run("NEWGROUPS 20231114 221320 GMT").text
                == "231 list of new newsgroups follows\r\nforllm.empty 0 1 y\r\nforllm.general 3 1 y\r\n.\r\n"
        )
        #expect(try await run("NEWGROUPS 991231 000000 GMT").text.components(separatedBy: "\r\n").count == 6)
        #expect(try await run("NEWGROUPS 20991231 000000 GMT").text == "231 list of new newsgroups follows\r\n.\r\n")
        #expect(
            try await run("NEWNEWS forllm.* 20231114 221321 GMT").text
                == "230 list of new articles follows\r\n<two@test.example>\r\n<three@test.example>\r\n.\r\n"
        )
        #expect(try await run("NEWNEWS misc.* 20000101 000000 GMT").text == "230 list of new articles follows\r\n.\r\n")
    }

    @Test("DATE uses the injected clock, in UTC")
    func date() async throws {
        var run = Run()
        #expect(try await run("DATE").text == "111 20231114221320\r\n")
        #expect(NNTPCommandExecutor.dateStamp(Date(timeIntervalSince1970: 951_782_400)) == "20000229000000")
    }

    @Test("a storage failure is 403 and leaves the context alone")
    func storageFailure() async throws {
        var run = Run()
        _ = try await run("GROUP forllm.general")
        run.backend.failStorage()
        #expect(try await run("GROUP misc.bulk").text == "403 internal fault, try again later\r\n")
        #expect(try await run("LIST").text == "403 internal fault, try again later\r\n")
        #expect(run.context.selectedGroup == "forllm.general")
    }
}
