import FORLLMTestSupport
import Foundation
import NNTPServer
import Testing

/// Python's `nntplib` (3.11 and earlier) against the server: a real third-party client.
/// Skipped where no such Python is installed.
@Suite("Python nntplib", .endToEnd)
struct NNTPPythonInteropTests {
    static let python = PythonScript.interpreter(importing: "nntplib", options: ["-W", "ignore"])

    static let script = #"""
        import nntplib, sys, io
        s = nntplib.NNTP("127.0.0.1", int(sys.argv[1]), readermode=False, timeout=10)
        out = []
        out.append("welcome " + s.getwelcome()[:3])
        caps = s.getcapabilities()
        out.append("caps " + ",".join(sorted(k for k in caps if k in ("READER", "OVER", "HDR", "POST"))))
        resp, count, first, last, name = s.group("forllm.general")
        out.append(f"group {count} {first} {last} {name}")
        resp, overviews = s.over((1, 3))
        for number, fields in overviews:
            out.append(f"over {number} {fields['subject']} {fields[':bytes']} {fields['xref']}")
        resp, headers = s.xhdr("subject", "1-3")
        out.append("xhdr " + "|".join(f"{n}={v}" for n, v in headers))
        resp, info = s.body("<one@test.example>")
        out.append("body " + "|".join(line.decode() for line in info.lines))
        resp, info = s.article(2)
        out.append("article " + str(info.number) + " " + info.message_id + " " + str(len(info.lines)))
        resp, fmt = s._getoverviewfmt(), None
        out.append("fmt " + ",".join(resp))
        article = b"From: Py <py@example.com>\r\nNewsgroups: forllm.general\r\nSubject: from nntplib\r\nMessage-ID: <py@example.com>\r\n\r\n.leading dot\r\nbye\r\n"
        out.append("post " + s.post(io.BytesIO(article))[:3])
        resp, info = s.body("<py@example.com>")
        out.append("posted " + "|".join(line.decode() for line in info.lines))
        out.append("date " + s.date()[1].strftime("%Y%m%d%H%M%S"))
        resp, groups = s.list()
        out.append("list " + ",".join(g.group for g in groups))
        try:
            s.article(99)
        except nntplib.NNTPTemporaryError as e:
            out.append("missing " + str(e)[:3])
        s.quit()
        print("\n".join(out))
        """#

    @Test("nntplib reads, posts and quits", .enabled(if: Self.python != nil))
    func nntplib() async throws {
        let python = try #require(Self.python)
        let output = try await NNTPTestServer.with { server in
            try await Self.run(python, port: server.port)
        }
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.contains("welcome 200"))
        #expect(lines.contains("caps HDR,OVER,POST,READER"))
        #expect(lines.contains("group 3 1 3 forllm.general"))
        #expect(
            lines.contains { $0.hasPrefix("over 1 Hello world ") && $0.hasSuffix(" test.example forllm.general:1") }
        )
        #expect(lines.contains("xhdr 1=Hello world|2=Re: Hello world|3=Tabs in subject"))
        #expect(lines.contains("body First line.|.A line starting with a dot|..two dots"))
        #expect(lines.contains { $0.hasPrefix("article 2 <two@test.example> ") })
        #expect(lines.contains("fmt subject,from,date,message-id,references,:bytes,:lines,xref"))
        #expect(lines.contains("post 240"))
        #expect(lines.contains("posted .leading dot|bye"))
        #expect(lines.contains("date 20231114221320"))
        #expect(lines.contains("list forllm.empty,forllm.general,misc.bulk"))
        #expect(lines.contains("missing 423"))
    }

    /// Runs the script against the server on `port`; a failing script fails the test.
    private static func run(_ python: String, port: Int) async throws -> String {
        let outcome = try await PythonScript.run(
            python,
            options: ["-W", "ignore"],
            script: Self.script,
            arguments: [String(port)]
        )
        #expect(outcome.status == 0, "nntplib failed: \(outcome.errors)")
        return outcome.output
    }
}
