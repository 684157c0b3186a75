import LineServer
import NIOCore
import SMTPCore

extension SMTPSession {
    /// A command line (or an over-long line) in command state.
    mutating func receiveCommand(_ frame: LineFrame, transaction: Transaction?) -> Action {
        self.lastCommand = nil
        switch frame {
        case .overlongLine:
            return self.respond(Self.lineTooLong(self.configuration.maximumCommandLineLength))
        case .line(let line, let ending):
            let octets = line.readableBytes + (ending == .crlf ? 2 : 1)
            guard octets <= self.configuration.maximumCommandLineLength else {
                return self.respond(Self.lineTooLong(self.configuration.maximumCommandLineLength))
            }
            let command: SMTPCommand
            do {
                command = try SMTPCommandParser.parseCommand(line)
            } catch {
                return self.respond(error.reply)
            }
            self.lastCommand = command
            return self.handle(command, transaction: transaction)
        }
    }

    private static func lineTooLong(_ limit: Int) -> SMTPReply {
        SMTPReply(.commandUnrecognized, SMTPEnhancedStatusCode(5, 5, 0), "line too long (\(limit) octets at most)")
    }

    private static func badSequence(_ text: String) -> SMTPReply {
        SMTPReply(.badSequence, SMTPEnhancedStatusCode(5, 5, 1), text)
    }

    private static func needsSMTPUTF8(_ mailbox: SMTPMailbox) -> SMTPReply {
        SMTPReply(
            .mailboxNameNotAllowed,
            SMTPEnhancedStatusCode(5, 6, 7),
            "\(mailbox): a non-ASCII address needs MAIL FROM with SMTPUTF8"
        )
    }

    private mutating func handle(_ command: SMTPCommand, transaction: Transaction?) -> Action {
        switch command {
        case .ehlo(let name):
            // EHLO and HELO abandon any transaction (RFC 5321 §4.1.4).
            self.hello(name)
            return self.respond(SMTPReply(.ok, lines: self.extensions(client: name)))
        case .helo(let name):
            self.hello(name)
            return self.respond(SMTPReply(.ok, "\(self.configuration.hostname) greets \(name)"))
        case .mail(let path, let parameters):
            return self.mail(path, parameters, transaction: transaction)
        case .rcpt(let path):
            return self.rcpt(path, transaction: transaction)
        case .data:
            guard let transaction else {
                return self.respond(Self.badSequence("send MAIL first"))
            }
            guard !transaction.recipients.isEmpty else {
                // RFC 2920 §3.1: with every RCPT refused, DATA must fail with 503 or 554.
                return self.respond(
                    SMTPReply(.transactionFailed, SMTPEnhancedStatusCode(5, 5, 1), "no valid recipients")
                )
            }
            self.state = .receivingData(
                transaction,
                SMTPDataReceiver(
                    maximumBytes: self.configuration.maximumMessageBytes,
                    maximumLineLength: self.configuration.maximumTextLineLength
                )
            )
            return self.respond(SMTPReply(.startMailInput, "end data with <CR><LF>.<CR><LF>"))
        case .rset:
            self.state = .command(nil)
            return self.respond(SMTPReply(.ok, SMTPEnhancedStatusCode(2, 0, 0), "OK"))
        case .noop:
            return self.respond(SMTPReply(.ok, SMTPEnhancedStatusCode(2, 0, 0), "OK"))
        case .vrfy:
            // RFC 5321 §3.5.3: 252 when the server will not say whether a mailbox exists.
            return self.respond(
                SMTPReply(
                    .cannotVerify,
                    SMTPEnhancedStatusCode(2, 5, 0),
                    "cannot VRFY user, but will accept message and attempt delivery"
                )
            )
        case .expn:
            // RFC 5321 §7.3: a server may refuse to expand lists; there are none here.
            return self.respond(
                SMTPReply(.commandNotImplemented, SMTPEnhancedStatusCode(5, 5, 1), "EXPN not implemented")
            )
        case .help:
            return self.respond(
                SMTPReply(
                    .helpMessage,
                    SMTPEnhancedStatusCode(2, 0, 0),
                    self.tls == .startTLS
                        ? "commands: EHLO HELO STARTTLS MAIL RCPT DATA RSET NOOP VRFY QUIT"
                        : "commands: EHLO HELO MAIL RCPT DATA RSET NOOP VRFY QUIT"
                )
            )
        case .startTLS:
            return self.startTLS()
        case .quit:
            self.state = .closed
            return .sendAndClose([
                SMTPReply(
                    .closing,
                    SMTPEnhancedStatusCode(2, 0, 0),
                    "\(self.configuration.hostname) closing connection"
                )
            ])
        }
    }

    /// `STARTTLS`: `220` and the switch to TLS where it is offered; `503` once TLS is active,
    /// `502` where it is not offered (the command stays unimplemented there).
    ///
    /// - SeeAlso: [RFC 3207 §4](https://datatracker.ietf.org/doc/html/rfc3207#section-4)
    private mutating func startTLS() -> Action {
        guard !self.isTLSActive else {
            return self.respond(Self.badSequence("TLS already active"))
        }
        guard self.tls == .startTLS else {
            return self.respond(
                SMTPReply(.commandNotImplemented, SMTPEnhancedStatusCode(5, 5, 1), "STARTTLS not implemented")
            )
        }
        self.state = .startingTLS
        return .startTLS([SMTPReply(.serviceReady, SMTPEnhancedStatusCode(2, 0, 0), "Ready to start TLS")])
    }

    private mutating func hello(_ name: String) {
        self.clientName = name
        self.state = .command(nil)
    }

    /// The `EHLO` reply: the greeting line, then one line per extension.
    ///
    /// - SeeAlso: [RFC 5321 §4.1.1.1](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.1.1)
    func extensions(client: String) -> [String] {
        var extensions = [
            "\(self.configuration.hostname) greets \(client)",
            "8BITMIME",  // RFC 6152
            "SMTPUTF8",  // RFC 6531
            "PIPELINING",  // RFC 2920
            "SIZE \(self.configuration.maximumMessageBytes)",  // RFC 1870
            "ENHANCEDSTATUSCODES"  // RFC 2034
        ]
        if self.tls == .startTLS, !self.isTLSActive {
            extensions.append("STARTTLS")  // RFC 3207
        }
        return extensions
    }

    // mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
    private mutating func mail(
        _ path: SMTPReversePath,
        _ parameters: SMTPMailParameters,
        transaction: Transaction?
    ) -> Action {
        guard self.clientName != nil else {
            return self.respond(Self.badSequence("send EHLO or HELO first"))
        }
        guard transaction == nil else {
            return self.respond(Self.badSequence("nested MAIL command"))
        }
        if let size = parameters.size, size > self.configuration.maximumMessageBytes {
            // RFC 1870 §6.1.
            return self.respond(
                SMTPReply(
                    .exceededStorage,
                    SMTPEnhancedStatusCode(5, 3, 4),
                    "message size exceeds fixed maximum message size (\(self.configuration.maximumMessageBytes) octets)"
                )
            )
        }
        if let mailbox = path.mailbox, !mailbox.isASCII, !parameters.isSMTPUTF8 {
            return self.respond(Self.needsSMTPUTF8(mailbox))
        }
        self.state = .command(Transaction(reversePath: path, parameters: parameters))
        return self.respond(SMTPReply(.ok, SMTPEnhancedStatusCode(2, 1, 0), "\(path) sender OK"))
    }

    // rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) CRLF
    private mutating func rcpt(_ path: SMTPForwardPath, transaction: Transaction?) -> Action {
        guard let transaction else {
            return self.respond(Self.badSequence("send MAIL first"))
        }
        let mailbox: SMTPMailbox
        switch path {
        case .postmaster:
            mailbox = SMTPMailbox(localPart: "postmaster", domain: self.configuration.hostname)
        case .mailbox(let given):
            mailbox = given
        }
        if !mailbox.isASCII, !transaction.parameters.isSMTPUTF8 {
            return self.respond(Self.needsSMTPUTF8(mailbox))
        }
        if transaction.recipients.contains(mailbox) {
            return self.respond(SMTPReply(.ok, SMTPEnhancedStatusCode(2, 1, 5), "\(mailbox) recipient OK"))
        }
        guard transaction.recipients.count < self.configuration.maximumRecipients else {
            return self.respond(
                SMTPReply(
                    .insufficientStorage,
                    SMTPEnhancedStatusCode(4, 5, 3),
                    "too many recipients (\(self.configuration.maximumRecipients) at most)"
                )
            )
        }
        self.state = .checkingRecipient(transaction, mailbox)
        return .checkRecipient(mailbox)
    }
}
