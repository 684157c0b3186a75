import NIOCore

/// An SMTP command, as the client sends it.
///
/// The commands of RFC 5321's minimum implementation (§4.5.1), plus `EXPN` and `HELP`, which
/// the server answers without implementing them, and `STARTTLS` (RFC 3207). Verbs it knows of
/// but does not offer (`AUTH`, `BDAT` …) are parse errors with code
/// ``SMTPParserError/Code-swift.struct/commandNotImplemented`` (`502`).
///
/// - SeeAlso: [RFC 5321 §4.1.1](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.1)
public enum SMTPCommand: Hashable, Sendable {
    /// `EHLO domain`: extended hello (§4.1.1.1).
    case ehlo(String)
    /// `HELO domain`: plain hello (§4.1.1.1).
    case helo(String)
    /// `MAIL FROM:<reverse-path> [parameters]`: starts a transaction (§4.1.1.2).
    case mail(SMTPReversePath, SMTPMailParameters)
    /// `RCPT TO:<forward-path>`: adds a recipient (§4.1.1.3). No parameters are supported.
    case rcpt(SMTPForwardPath)
    /// `DATA`: the message follows (§4.1.1.4).
    case data
    /// `RSET`: abandons the transaction (§4.1.1.5).
    case rset
    /// `VRFY string` (§4.1.1.6).
    case vrfy(String)
    /// `EXPN string` (§4.1.1.7).
    case expn(String)
    /// `HELP [string]` (§4.1.1.8).
    case help(String?)
    /// `NOOP [string]` (§4.1.1.9).
    case noop
    /// `QUIT` (§4.1.1.10).
    case quit
    /// `STARTTLS`: TLS on the connection from the next byte on (RFC 3207 §4).
    case startTLS
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes `command` as a command line, CRLF included: the form a client sends and the
    /// parser reads back to the same value.
    @discardableResult
    public mutating func writeSMTPCommand(_ command: SMTPCommand) -> Int {
        var size: Int
        switch command {
        case .ehlo(let domain):
            size = self.writeString("EHLO \(domain)")
        case .helo(let domain):
            size = self.writeString("HELO \(domain)")
        case .mail(let path, let parameters):
            size = self.writeString("MAIL FROM:\(path)")
            if let value = parameters.size {
                size += self.writeString(" SIZE=\(value)")
            }
            if let body = parameters.body {
                size += self.writeString(" BODY=\(body.rawValue)")
            }
            if parameters.isSMTPUTF8 {
                size += self.writeString(" SMTPUTF8")
            }
        case .rcpt(let path):
            size = self.writeString("RCPT TO:\(path)")
        case .data:
            size = self.writeString("DATA")
        case .rset:
            size = self.writeString("RSET")
        case .vrfy(let string):
            size = self.writeString("VRFY \(string)")
        case .expn(let string):
            size = self.writeString("EXPN \(string)")
        case .help(let topic):
            size = self.writeString(topic.map { "HELP \($0)" } ?? "HELP")
        case .noop:
            size = self.writeString("NOOP")
        case .quit:
            size = self.writeString("QUIT")
        case .startTLS:
            size = self.writeString("STARTTLS")
        }
        size += self.writeString("\r\n")
        return size
    }
}

// MARK: - CustomDebugStringConvertible

extension SMTPCommand: CustomDebugStringConvertible {
    /// The command line without its CRLF.
    public var debugDescription: String {
        var buffer = ByteBuffer()
        buffer.writeSMTPCommand(self)
        return String(decoding: buffer.readableBytesView.dropLast(2), as: UTF8.self)
    }
}
