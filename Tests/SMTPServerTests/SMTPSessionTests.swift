import LineServer
import NIOCore
import SMTPCore
import Testing

@testable import SMTPServer

/// The session state machine with plain values: lines in, actions out.
@Suite("SMTP session")
struct SMTPSessionTests {
    static let configuration = SMTPServerConfiguration(
        hostname: "mail.test",
        maximumMessageBytes: 100,
        maximumRecipients: 2
    )

    static func line(_ text: String, _ ending: LineEnding = .crlf) -> LineFrame {
        .line(ByteBuffer(string: text), ending)
    }

    static func mailbox(_ local: String, _ domain: String = "forllm.local") -> SMTPMailbox {
        SMTPMailbox(localPart: local, domain: domain)
    }

    /// A greeted session after `EHLO`.
    static func greeted(_ configuration: SMTPServerConfiguration = Self.configuration) -> SMTPSession {
        var session = SMTPSession(configuration: configuration)
        _ = session.greeting()
        _ = session.receive(Self.line("EHLO client.test"))
        return session
    }

    /// The codes of a `.send` action, or `nil` for any other action.
    static func codes(_ action: SMTPSession.Action) -> [Int]? {
        guard case .send(let replies) = action else {
            return nil
        }
        return replies.map(\.code.rawValue)
    }

    static func reply(_ action: SMTPSession.Action) -> SMTPReply? {
        guard case .send(let replies) = action, replies.count == 1 else {
            return nil
        }
        return replies[0]
    }

    @Test("greeting, EHLO with its extensions, HELO")
    func greetingAndHello() {
        var session = SMTPSession(configuration: Self.configuration)
        #expect(session.greeting() == .send([SMTPReply(.serviceReady, "mail.test ESMTP FORLLM ready")]))
        #expect(session.greeting() == .none)
        #expect(
            session.receive(Self.line("EHLO client.test"))
                == .send([
                    SMTPReply(
                        .ok,
                        lines: [
                            "mail.test greets client.test", "8BITMIME", "SMTPUTF8", "PIPELINING", "SIZE 100",
                            "ENHANCEDSTATUSCODES"
                        ]
                    )
                ])
        )
        #expect(session.clientName == "client.test")
        #expect(session.receive(Self.line("HELO old.client")) == .send([SMTPReply(.ok, "mail.test greets old.client")]))
        #expect(session.clientName == "old.client")
    }

    @Test("a whole transaction: MAIL, RCPT (asked of the backend), DATA, the message, delivery")
    func transaction() {
        var session = Self.greeted()
        #expect(
            Self.reply(session.receive(Self.line("MAIL FROM:<me@client.test>")))
                == SMTPReply(.ok, SMTPEnhancedStatusCode(2, 1, 0), "<me@client.test> sender OK")
        )
        #expect(
            session.receive(Self.line("RCPT TO:<forllm.general@forllm.local>"))
                == .checkRecipient(Self.mailbox("forllm.general"))
        )
        #expect(
            Self.reply(session.recipientChecked(.accepted))
                == SMTPReply(.ok, SMTPEnhancedStatusCode(2, 1, 5), "<forllm.general@forllm.local> recipient OK")
        )
        #expect(
            Self.reply(session.receive(Self.line("DATA")))
                == SMTPReply(.startMailInput, "end data with <CR><LF>.<CR><LF>")
        )
        #expect(session.receive(Self.line("Subject: hi")) == .none)
        #expect(session.receive(Self.line("")) == .none)
        #expect(session.receive(Self.line("..dot")) == .none)
        let envelope = SMTPEnvelope(
            reversePath: .mailbox(Self.mailbox("me", "client.test")),
            recipients: [Self.mailbox("forllm.general")],
            clientName: "client.test"
        )
        #expect(session.receive(Self.line(".")) == .deliver(envelope, Array("Subject: hi\r\n\r\n.dot\r\n".utf8)))
        #expect(
            Self.reply(session.deliveryCompleted(.accepted(id: "<1@x>")))
                == SMTPReply(.ok, SMTPEnhancedStatusCode(2, 0, 0), "message accepted as <1@x>")
        )
        // The transaction is over: RCPT needs a new MAIL.
        #expect(Self.codes(session.receive(Self.line("RCPT TO:<forllm.general@forllm.local>"))) == [503])
    }

    @Test("backend answers: 550 and 451 name the address, 554 and 451 give the reason")
    func backendRefusals() {
        var session = Self.greeted()
        _ = session.receive(Self.line("MAIL FROM:<>"))
        _ = session.receive(Self.line("RCPT TO:<nobody@forllm.local>"))
        #expect(
            Self.reply(session.recipientChecked(.refused("no such group")))
                == SMTPReply(
                    .mailboxUnavailable,
                    SMTPEnhancedStatusCode(5, 1, 1),
                    "<nobody@forllm.local>: no such group"
                )
        )
        _ = session.receive(Self.line("RCPT TO:<busy@forllm.local>"))
        #expect(
            Self.reply(session.recipientChecked(.temporaryFailure("busy")))
                == SMTPReply(.localError, SMTPEnhancedStatusCode(4, 3, 0), "<busy@forllm.local>: busy")
        )
        // No recipient was accepted: DATA fails (RFC 2920 §3.1).
        #expect(Self.codes(session.receive(Self.line("DATA"))) == [554])
        _ = session.receive(Self.line("RCPT TO:<forllm.general@forllm.local>"))
        _ = session.recipientChecked(.accepted)
        _ = session.receive(Self.line("DATA"))
        guard case .deliver = session.receive(Self.line(".")) else {
            Issue.record("expected a delivery")
            return
        }
        #expect(
            Self.reply(session.deliveryCompleted(.refused("no Newsgroups")))
                == SMTPReply(.transactionFailed, SMTPEnhancedStatusCode(5, 6, 0), "no Newsgroups")
        )
        _ = session.receive(Self.line("MAIL FROM:<>"))
        _ = session.receive(Self.line("RCPT TO:<forllm.general@forllm.local>"))
        _ = session.recipientChecked(.accepted)
        _ = session.receive(Self.line("DATA"))
        _ = session.receive(Self.line("."))
        #expect(Self.codes(session.deliveryCompleted(.temporaryFailure("locked"))) == [451])
    }

    @Test(
        "bad sequences get 503",
        arguments: [
            ([], "MAIL FROM:<a@b.example>"),
            (["EHLO c"], "RCPT TO:<forllm.general@forllm.local>"),
            (["EHLO c"], "DATA"),
            (["EHLO c", "MAIL FROM:<a@b.example>"], "MAIL FROM:<a@b.example>")
        ]
    )
    func badSequence(_ before: [String], _ line: String) {
        var session = SMTPSession(configuration: Self.configuration)
        _ = session.greeting()
        for command in before {
            _ = session.receive(Self.line(command))
        }
        let reply = Self.reply(session.receive(Self.line(line)))
        #expect(reply?.code == .badSequence)
        #expect(reply?.enhancedCode == SMTPEnhancedStatusCode(5, 5, 1))
    }

    @Test("RSET and EHLO abandon the transaction; RSET, NOOP, VRFY, EXPN, HELP answer")
    func resetAndOthers() {
        var session = Self.greeted()
        _ = session.receive(Self.line("MAIL FROM:<a@b.example>"))
        #expect(Self.codes(session.receive(Self.line("RSET"))) == [250])
        #expect(Self.codes(session.receive(Self.line("DATA"))) == [503])
        _ = session.receive(Self.line("MAIL FROM:<a@b.example>"))
        _ = session.receive(Self.line("EHLO again"))
        #expect(Self.codes(session.receive(Self.line("MAIL FROM:<a@b.example>"))) == [250])
        #expect(Self.codes(session.receive(Self.line("NOOP"))) == [250])
        #expect(Self.codes(session.receive(Self.line("VRFY forllm.general"))) == [252])
        #expect(Self.codes(session.receive(Self.line("EXPN list"))) == [502])
        #expect(Self.codes(session.receive(Self.line("HELP"))) == [214])
        #expect(Self.codes(session.receive(Self.line("STARTTLS"))) == [502])
        #expect(Self.codes(session.receive(Self.line("FROB"))) == [500])
        #expect(Self.codes(session.receive(Self.line("MAIL FROM:<a@b.example> RET=FULL"))) == [555])
        // RSET before EHLO is fine too.
        var fresh = SMTPSession(configuration: Self.configuration)
        _ = fresh.greeting()
        #expect(Self.codes(fresh.receive(Self.line("RSET"))) == [250])
    }

    @Test("limits: SIZE at MAIL (552), recipients (452), command line (500)")
    func limits() {
        var session = Self.greeted()
        let tooBig = Self.reply(session.receive(Self.line("MAIL FROM:<a@b.example> SIZE=101")))
        #expect(tooBig?.code == .exceededStorage)
        #expect(tooBig?.enhancedCode == SMTPEnhancedStatusCode(5, 3, 4))
        #expect(Self.codes(session.receive(Self.line("MAIL FROM:<a@b.example> SIZE=100"))) == [250])
        for local in ["forllm.general", "forllm.misc"] {
            _ = session.receive(Self.line("RCPT TO:<\(local)@forllm.local>"))
            _ = session.recipientChecked(.accepted)
        }
        // A recipient given twice is not asked again and does not count twice.
        #expect(Self.codes(session.receive(Self.line("RCPT TO:<forllm.misc@forllm.local>"))) == [250])
        let tooMany = Self.reply(session.receive(Self.line("RCPT TO:<postmaster@forllm.local>")))
        #expect(tooMany?.code == .insufficientStorage)
        #expect(tooMany?.enhancedCode == SMTPEnhancedStatusCode(4, 5, 3))
        #expect(Self.codes(session.receive(.overlongLine)) == [500])
        var short = Self.greeted(SMTPServerConfiguration(maximumCommandLineLength: 512))
        #expect(Self.codes(short.receive(Self.line("NOOP " + String(repeating: "x", count: 505)))) == [250])
        #expect(Self.codes(short.receive(Self.line("NOOP " + String(repeating: "x", count: 506)))) == [500])
        #expect(Self.codes(short.receive(Self.line("NOOP " + String(repeating: "x", count: 506), .lf))) == [250])
    }

    @Test("a non-ASCII address needs SMTPUTF8 (553 5.6.7)")
    func smtputf8() {
        var session = Self.greeted()
        let refused = Self.reply(session.receive(Self.line("MAIL FROM:<jöran@b.example>")))
        #expect(refused?.code == .mailboxNameNotAllowed)
        #expect(refused?.enhancedCode == SMTPEnhancedStatusCode(5, 6, 7))
        _ = session.receive(Self.line("MAIL FROM:<a@b.example>"))
        #expect(Self.codes(session.receive(Self.line("RCPT TO:<jöran@forllm.local>"))) == [553])
        _ = session.receive(Self.line("RSET"))
        _ = session.receive(Self.line("MAIL FROM:<jöran@b.example> SMTPUTF8"))
        #expect(session.receive(Self.line("RCPT TO:<jöran@forllm.local>")) == .checkRecipient(Self.mailbox("jöran")))
    }

    @Test("<Postmaster> is asked of the backend as postmaster@hostname")
    func postmaster() {
        var session = Self.greeted()
        _ = session.receive(Self.line("MAIL FROM:<>"))
        #expect(
            session.receive(Self.line("RCPT TO:<Postmaster>"))
                == .checkRecipient(Self.mailbox("postmaster", "mail.test"))
        )
    }

    @Test("an oversize message is read to its end, answered 552, and the session goes on")
    func oversize() {
        var session = Self.greeted()
        _ = session.receive(Self.line("MAIL FROM:<a@b.example>"))
        _ = session.receive(Self.line("RCPT TO:<forllm.general@forllm.local>"))
        _ = session.recipientChecked(.accepted)
        _ = session.receive(Self.line("DATA"))
        for _ in 0..<20 {
            #expect(session.receive(Self.line("0123456789")) == .none)
        }
        let reply = Self.reply(session.receive(Self.line(".")))
        #expect(
            reply
                == SMTPReply(
                    .exceededStorage,
                    SMTPEnhancedStatusCode(5, 3, 4),
                    "message too large (240 octets, limit 100)"
                )
        )
        #expect(Self.codes(session.receive(Self.line("NOOP"))) == [250])
        #expect(Self.codes(session.receive(Self.line("RCPT TO:<forllm.general@forllm.local>"))) == [503])
    }

    @Test("QUIT says 221 and closes")
    func quit() {
        var session = Self.greeted()
        #expect(
            session.receive(Self.line("QUIT"))
                == .sendAndClose([SMTPReply(.closing, SMTPEnhancedStatusCode(2, 0, 0), "mail.test closing connection")])
        )
        #expect(session.receive(Self.line("NOOP")) == .close)
    }

    @Test("idle timeout: 421 and close, but not while the backend works")
    func idleTimeout() {
        var session = Self.greeted()
        guard case .sendAndClose(let replies) = session.idleTimedOut() else {
            Issue.record("expected sendAndClose")
            return
        }
        #expect(replies.map(\.code) == [.serviceNotAvailable])
        var busy = Self.greeted()
        _ = busy.receive(Self.line("MAIL FROM:<>"))
        _ = busy.receive(Self.line("RCPT TO:<x@forllm.local>"))
        #expect(busy.idleTimedOut() == .none)
    }

    @Test("shutdown: at once when waiting for a command; after the reply when a message is in flight")
    func shutdown() {
        var idle = Self.greeted()
        guard case .sendAndClose(let replies) = idle.shutdownRequested() else {
            Issue.record("expected sendAndClose")
            return
        }
        #expect(replies.map(\.code) == [.serviceNotAvailable])
        var busy = Self.greeted()
        _ = busy.receive(Self.line("MAIL FROM:<>"))
        _ = busy.receive(Self.line("RCPT TO:<forllm.general@forllm.local>"))
        _ = busy.recipientChecked(.accepted)
        _ = busy.receive(Self.line("DATA"))
        #expect(busy.shutdownRequested() == .none)
        _ = busy.receive(Self.line("."))
        guard case .sendAndClose(let final) = busy.deliveryCompleted(.accepted(id: "<1@x>")) else {
            Issue.record("expected sendAndClose")
            return
        }
        #expect(final.map(\.code) == [.ok, .serviceNotAvailable])
    }

    @Test("a line while the backend works breaks the loop's invariant: close")
    func lineWhileBusy() {
        var session = Self.greeted()
        _ = session.receive(Self.line("MAIL FROM:<>"))
        _ = session.receive(Self.line("RCPT TO:<x@forllm.local>"))
        #expect(session.receive(Self.line("NOOP")) == .close)
    }
}
