import FORLLMTestSupport
import InMemoryLogging
import Logging
import NIOCore
import SMTPServer
import ServiceLifecycle

/// Runs an ``SMTPServer`` on 127.0.0.1 with a system-chosen port inside a `ServiceGroup` for
/// the duration of `body`, then shuts it down gracefully and waits for `run()` to return.
struct SMTPTestServer {
    let port: Int
    let backend: FakeSMTPBackend
    let group: ServiceGroup
    let logs: InMemoryLogHandler

    func connect(timeout: Duration = .seconds(10)) async throws -> NNTPTestClient {
        try await NNTPTestClient.connect(host: "127.0.0.1", port: self.port, timeout: timeout)
    }

    /// Connects, reads the greeting and says EHLO.
    func connectAndGreet() async throws -> NNTPTestClient {
        let client = try await self.connect()
        let greeting = try await client.readReply()
        guard greeting.code == 220 else {
            throw UnexpectedReply(reply: greeting.lines.joined(separator: "\n"))
        }
        let ehlo = try await client.smtp("EHLO client.test")
        guard ehlo.code == 250 else {
            throw UnexpectedReply(reply: ehlo.lines.joined(separator: "\n"))
        }
        return client
    }

    struct UnexpectedReply: Error {
        var reply: String
    }

    static func with<Result: Sendable>(
        configuration: SMTPServerConfiguration = SMTPServerConfiguration(),
        backend: FakeSMTPBackend = FakeSMTPBackend(),
        _ body: (SMTPTestServer) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.hostname = "mail.test"
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "smtp-test", factory: { _ in logs })
        logger.logLevel = .debug
        return try await withRunningService(
            logger: logger,
            makeService: { onListening in
                SMTPServer(
                    configuration: configuration,
                    backend: backend,
                    logger: logger,
                    onListening: onListening
                )
            },
            body: { port, group in
                try await body(SMTPTestServer(port: port, backend: backend, group: group, logs: logs))
            }
        )
    }
}

/// An SMTP reply as a client reads it: the code and the text of each line.
struct SMTPTestReply: Hashable, Sendable, CustomStringConvertible {
    var code: Int
    var lines: [String]

    var text: String {
        self.lines.joined(separator: "\n")
    }

    var description: String {
        self.lines.map { "\(self.code) \($0)" }.joined(separator: "\n")
    }
}

extension NNTPTestClient {
    /// Reads one SMTP reply: `code-text` lines up to the `code SP text` (or bare `code`) line.
    /// Checks what a strict client checks: CRLF, three digits, the same code on every line.
    func readReply() async throws -> SMTPTestReply {
        var code: Int?
        var lines: [String] = []
        while true {
            let line = try await self.readLine()
            let utf8 = Array(line.utf8)
            guard utf8.count >= 3, utf8[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let lineCode = Int(String(decoding: utf8[0...2], as: UTF8.self)),
                code == nil || code == lineCode
            else {
                throw NNTPTestClientError.malformedStatusLine(line)
            }
            code = lineCode
            if utf8.count == 3 {
                lines.append("")
                return SMTPTestReply(code: lineCode, lines: lines)
            }
            let text = String(decoding: utf8[4...], as: UTF8.self)
            lines.append(text)
            switch utf8[3] {
            case UInt8(ascii: " "):
                return SMTPTestReply(code: lineCode, lines: lines)
            case UInt8(ascii: "-"):
                continue
            default:
                throw NNTPTestClientError.malformedStatusLine(line)
            }
        }
    }

    /// Sends a command line and reads its reply.
    func smtp(_ line: String) async throws -> SMTPTestReply {
        try await self.send(line)
        return try await self.readReply()
    }
}
