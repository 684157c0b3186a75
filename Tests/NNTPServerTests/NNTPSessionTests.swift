import LineServer
import NIOCore
import NNTPCore
import Testing

@testable import NNTPServer

/// The session state machine with plain values: lines in, actions out.
@Suite("Session state machine")
struct NNTPSessionTests {
    private static func line(_ text: String, _ ending: LineEnding = .crlf) -> LineFrame {
        .line(ByteBuffer(string: text), ending)
    }

    private static func sent(_ action: NNTPSession.Action) -> String? {
        switch action {
        case .send(let bytes), .sendAndClose(let bytes): return String(buffer: bytes)
        case .execute, .post, .authenticate, .startTLS, .none, .close: return nil
        }
    }

    private static func started(_ configuration: NNTPSessionConfiguration = .init()) -> NNTPSession {
        var session = NNTPSession(configuration: configuration)
        _ = session.greeting()
        return session
    }

    @Test("greeting says whether posting is allowed")
    func greeting() {
        var allowed = NNTPSession(configuration: .init(hostname: "news.example"))
        #expect(Self.sent(allowed.greeting())?.hasPrefix("200 news.example ") == true)
        var prohibited = NNTPSession(configuration: .init(postingAllowed: false))
        #expect(Self.sent(prohibited.greeting())?.hasPrefix("201 ") == true)
    }

    @Test("commands answered by the session itself")
    func localCommands() {
        var session = Self.started()
        #expect(Self.sent(session.receive(Self.line("MODE READER"))) == "200 reader mode, posting allowed\r\n")
        #expect(Self.sent(session.receive(Self.line("HELP")))?.hasPrefix("100 ") == true)
        #expect(Self.sent(session.receive(Self.line("XYZZY"))) == "500 unknown command\r\n")
        #expect(Self.sent(session.receive(Self.line("ARTICLE 99999999999999999999")))?.hasPrefix("501 ") == true)
        // 501 for 17 digits, whatever the state: the syntax is checked before the command runs.
        #expect(Self.sent(session.receive(Self.line("ARTICLE 12345678901234567")))?.hasPrefix("501 ") == true)
        #expect(Self.sent(session.receive(Self.line("IHAVE <a@b>")))?.hasPrefix("500 ") == true)
        #expect(Self.sent(session.receive(.overlongLine))?.hasPrefix("501 ") == true)
        #expect(Self.sent(session.receive(Self.line(""))) == "500 empty command line\r\n")
        #expect(!session.isClosed)
        let quit = session.receive(Self.line("quit"))
        #expect(quit == .sendAndClose(ByteBuffer(string: "205 closing connection, goodbye\r\n")))
        #expect(session.isClosed)
    }

    @Test("command lines over 512 octets get 501 and the session goes on")
    func longCommandLine() {
        var session = Self.started()
        let exactly512 = "GROUP " + String(repeating: "a", count: 504)  // + CRLF = 512
        #expect(session.receive(Self.line(exactly512)) == .execute(.group(String(repeating: "a", count: 504))))
        _ = session.commandExecuted(context: session.context)
        let tooLong = exactly512 + "a"
        #expect(Self.sent(session.receive(Self.line(tooLong)))?.hasPrefix("501 command line too long") == true)
        // With a bare LF the same line is 512 octets.
        #expect(session.receive(Self.line(tooLong, .lf)) == .execute(.group(String(repeating: "a", count: 505))))
    }

    @Test("CAPABILITIES is noted in the context and lists what tin looks for")
    func capabilities() throws {
        var session = Self.started(.init(implementation: "FORLLM 9.9", authenticationRequired: true))
        #expect(!session.context.sentCapabilities)
        let text = try #require(Self.sent(session.receive(Self.line("CAPABILITIES"))))
        #expect(session.context.sentCapabilities)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "101 Capability list:")
        #expect(lines.contains("VERSION 2"))
        #expect(lines.contains("IMPLEMENTATION FORLLM 9.9"))
        #expect(lines.contains("READER"))
        #expect(lines.contains("POST"))
        #expect(lines.contains("OVER MSGID"))
        #expect(lines.contains("HDR"))
        #expect(lines.contains("AUTHINFO USER"))
        #expect(!lines.contains("MODE-READER"))
        #expect(lines.contains { $0.hasPrefix("LIST ") && $0.contains("OVERVIEW.FMT") && $0.contains("COUNTS") })
        #expect(text.hasSuffix("\r\n.\r\n"))
    }

    @Test("storage commands are handed to the executor")
    func execute() {
        var session = Self.started()
        #expect(session.receive(Self.line("GROUP forllm.general")) == .execute(.group("forllm.general")))
        #expect(session.state == .awaitingBackend)
        let context = NNTPSessionContext(selectedGroup: "forllm.general", currentArticle: 1)
        #expect(session.commandExecuted(context: context) == NNTPSession.Action.none)
        #expect(session.context == context)
        #expect(session.receive(Self.line("XOVER")) == .execute(.xover(.current)))
    }

    @Test("a POST conversation: 340, unstuffing, CRLF, then the backend's answer")
    func post() throws {
        var session = Self.started()
        #expect(Self.sent(session.receive(Self.line("POST")))?.hasPrefix("340 ") == true)
        for frame in [
            Self.line("From: a@b.example"),
            Self.line("..X-Dot: dotted header"),
            Self.line("Subject: hi"),
            Self.line(""),
            Self.line("body with bare LF", .lf),
            Self.line(".."),
            Self.line("...more")
        ] {
            #expect(session.receive(frame) == NNTPSession.Action.none)
        }
        let action = session.receive(Self.line(".", .lf))
        let expected =
            "From: a@b.example\r\n.X-Dot: dotted header\r\nSubject: hi\r\n\r\nbody with bare LF\r\n.\r\n..more\r\n"
        #expect(action == .post(Array(expected.utf8)))
        #expect(
            Self.sent(session.postCompleted(.posted(messageID: "<x@y>"))) == "240 article received <x@y>\r\n"
        )
        #expect(session.state == .command)
        #expect(Self.sent(session.receive(Self.line("POST")))?.hasPrefix("340") == true)
        _ = session.receive(Self.line("."))
        #expect(
            Self.sent(session.postCompleted(.rejected(reason: "Newsgroups: missing"))) == "441 Newsgroups: missing\r\n"
        )
        // A duplicate in the form posting tools parse: 441, then 435 Duplicate, then why.
        #expect(Self.sent(session.receive(Self.line("POST")))?.hasPrefix("340") == true)
        _ = session.receive(Self.line("."))
        #expect(
            Self.sent(session.postCompleted(.duplicate(reason: "Message-ID <x@y> is already on the server")))
                == "441 435 Duplicate: Message-ID <x@y> is already on the server\r\n"
        )
    }

    @Test("a bare LF in a header line is refused without asking the backend")
    func bareLFInHeader() {
        var session = Self.started()
        _ = session.receive(Self.line("POST"))
        _ = session.receive(Self.line("From: a@b.example"))
        _ = session.receive(Self.line("Subject: x", .lf))
        _ = session.receive(Self.line(""))
        _ = session.receive(Self.line("body"))
        #expect(Self.sent(session.receive(Self.line("."))) == "441 bare LF in header line 2\r\n")
        #expect(session.state == .command)
    }

    @Test("an article over the limit is read to its end, then refused")
    func tooLarge() {
        var session = Self.started(.init(maximumArticleBytes: 100))
        _ = session.receive(Self.line("POST"))
        for _ in 0..<10 {
            #expect(session.receive(Self.line(String(repeating: "x", count: 50))) == NNTPSession.Action.none)
        }
        #expect(Self.sent(session.receive(Self.line("."))) == "441 article too large (520 octets, limit 100)\r\n")
        #expect(Self.sent(session.receive(Self.line("MODE READER")))?.hasPrefix("200") == true)
    }

    @Test("POST when posting is not allowed is 440")
    func postingProhibited() {
        var session = Self.started(.init(postingAllowed: false))
        #expect(Self.sent(session.receive(Self.line("POST")))?.hasPrefix("440 ") == true)
        #expect(session.state == .command)
    }

    @Test("authentication gates reading and posting, then lets them through")
    func authentication() {
        var session = Self.started(.init(authenticationRequired: true))
        #expect(Self.sent(session.receive(Self.line("GROUP a.b")))?.hasPrefix("480 ") == true)
        #expect(Self.sent(session.receive(Self.line("LIST")))?.hasPrefix("480 ") == true)
        #expect(Self.sent(session.receive(Self.line("POST")))?.hasPrefix("480 ") == true)
        #expect(Self.sent(session.receive(Self.line("MODE READER")))?.hasPrefix("200 ") == true)
        #expect(session.receive(Self.line("DATE")) == .execute(.date))
        _ = session.commandExecuted(context: session.context)
        #expect(Self.sent(session.receive(Self.line("AUTHINFO PASS x")))?.hasPrefix("482 ") == true)
        #expect(Self.sent(session.receive(Self.line("AUTHINFO USER fred")))?.hasPrefix("381 ") == true)
        #expect(session.receive(Self.line("AUTHINFO PASS wrong")) == .authenticate(user: "fred", password: "wrong"))
        #expect(Self.sent(session.authenticationCompleted(false))?.hasPrefix("481 ") == true)
        #expect(Self.sent(session.receive(Self.line("AUTHINFO PASS open sesame")))?.hasPrefix("482 ") == true)
        _ = session.receive(Self.line("AUTHINFO USER fred"))
        _ = session.receive(Self.line("AUTHINFO PASS open sesame"))
        #expect(Self.sent(session.authenticationCompleted(true))?.hasPrefix("281 ") == true)
        #expect(session.receive(Self.line("GROUP a.b")) == .execute(.group("a.b")))
        _ = session.commandExecuted(context: session.context)
        #expect(Self.sent(session.receive(Self.line("AUTHINFO USER fred")))?.hasPrefix("502 ") == true)
        let capabilities = Self.sent(session.receive(Self.line("CAPABILITIES"))) ?? ""
        #expect(!capabilities.contains("AUTHINFO"))
    }

    @Test("AUTHINFO without configured authentication is 502")
    func authinfoNotConfigured() {
        var session = Self.started()
        #expect(Self.sent(session.receive(Self.line("AUTHINFO USER fred")))?.hasPrefix("502 ") == true)
        #expect(Self.sent(session.receive(Self.line("AUTHINFO PASS x")))?.hasPrefix("502 ") == true)
    }

    @Test("shutdown closes an idle session at once with 400")
    func shutdownIdle() {
        var session = Self.started()
        #expect(session.shutdownRequested() == .sendAndClose(ByteBuffer(string: "400 server shutting down\r\n")))
        #expect(session.isClosed)
    }

    @Test("shutdown waits for the command in flight, then sends 400 after its answer")
    func shutdownInFlight() {
        var session = Self.started()
        _ = session.receive(Self.line("GROUP a.b"))
        #expect(session.shutdownRequested() == NNTPSession.Action.none)
        #expect(!session.isClosed)
        #expect(
            session.commandExecuted(context: session.context)
                == .sendAndClose(ByteBuffer(string: "400 server shutting down\r\n"))
        )
        #expect(session.isClosed)
    }

    @Test("shutdown during POST lets the article arrive, then answers and closes")
    func shutdownDuringPost() {
        var session = Self.started()
        _ = session.receive(Self.line("POST"))
        _ = session.receive(Self.line("Subject: x"))
        #expect(session.shutdownRequested() == NNTPSession.Action.none)
        _ = session.receive(Self.line(""))
        #expect(session.receive(Self.line(".")) == .post(Array("Subject: x\r\n\r\n".utf8)))
        #expect(
            Self.sent(session.postCompleted(.posted(messageID: "<a@b>")))
                == "240 article received <a@b>\r\n400 server shutting down\r\n"
        )
        #expect(session.isClosed)
    }

    @Test("idle timeout closes with 400; a line after close is not answered")
    func idle() {
        var session = Self.started()
        #expect(Self.sent(session.idleTimedOut())?.hasPrefix("400 ") == true)
        #expect(session.receive(Self.line("LIST")) == .close)
    }
}
