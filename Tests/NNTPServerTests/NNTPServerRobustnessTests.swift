import FORLLMTestSupport
import Foundation
import InMemoryLogging
import Logging
import ServiceLifecycle
import NNTPServer
import Testing

/// End to end over TCP: limits, hostile input and lifecycle.
@Suite("Server robustness and lifecycle", .endToEnd)
struct NNTPServerRobustnessTests {
    @Test("overflowing numbers and ranges get 501/423, never a crash")
    func overflow() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("GROUP forllm.general").code == 211)
            #expect(try await client.command("ARTICLE 18446744073709551616").code == 501)
            // More than 16 digits is a syntax error, before the group is even looked at.
            #expect(try await client.command("ARTICLE 9223372036854775807").code == 501)
            #expect(try await client.command("OVER 0-9223372036854775807").code == 501)
            #expect(try await client.command("ARTICLE 9999999999999999").code == 423)
            #expect(try await client.command("OVER 0-9999999999999999").code == 224)
            #expect(try await client.readMultiline().count == 3)
            #expect(try await client.command("OVER 9999999999999999-").code == 423)
            #expect(try await client.command("XOVER 99999999999999999999-1").code == 501)
            #expect(try await client.command("LISTGROUP forllm.general 9999999999999999-0").code == 211)
            #expect(try await client.readMultiline().isEmpty)
            #expect(try await client.command("GROUP forllm.empty").code == 211)
            #expect(try await client.command("OVER 0-9999999999999999").code == 423)
            #expect(try await client.command("DATE").code == 111)
        }
    }

    @Test("a 513-octet line and an 80 KB line get 501 and the session goes on")
    func longLines() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("GROUP " + String(repeating: "g", count: 505)).code == 501)
            #expect(try await client.command("GROUP " + String(repeating: "g", count: 504)).code == 411)
            try await client.sendRaw(String(repeating: "X", count: 80 * 1024) + "\r\n")
            #expect(try await client.readStatus().code == 501)
            #expect(try await client.command("DATE").code == 111)
            let wildmat = String(repeating: "*", count: 479)
            #expect(try await client.command("LIST ACTIVE \(wildmat)").code == 215)
            #expect(try await client.readMultiline().count == 3)
        }
    }

    @Test("over the connection cap: 400 and close; the others are unaffected")
    func connectionCap() async throws {
        try await NNTPTestServer.with(configuration: .init(maximumConnections: 2)) { server in
            let first = try await server.connectAndGreet()
            let second = try await server.connectAndGreet()
            let third = try await server.connect()
            #expect(try await third.readUntilClosed() == ["400 too many connections, try again later"])
            #expect(try await first.command("DATE").code == 111)
            #expect(try await second.command("QUIT").code == 205)
            _ = try await second.readUntilClosed()
            // The slot frees when the session task ends; each attempt is answered at once.
            var admitted = false
            for _ in 0..<200 where !admitted {
                let next = try await server.connect()
                admitted = try await next.readStatus().code == 200
            }
            #expect(admitted)
        }
    }

    @Test("an idle connection is closed with 400")
    func idleTimeout() async throws {
        try await NNTPTestServer.with(configuration: .init(idleTimeout: .milliseconds(300))) { server in
            // Nothing is sent after the greeting: however slow the machine, the next thing the
            // client reads is the 400 (activity resetting the timer is tested on the event
            // loop's clock in the pipeline tests).
            let client = try await server.connectAndGreet()
            #expect(try await client.readUntilClosed() == ["400 idle timeout, closing connection"])
        }
    }

    @Test("a session runs on its connection's event loop: a read from memory costs no thread hop")
    func sessionRunsOnEventLoop() async throws {
        // The test process does not run async code on NIO's loops (`forllm serve` does), so a
        // session left on the cooperative pool would read from a thread of no event loop.
        let backend = FakeNNTPBackend.standard()
        try await NNTPTestServer.with(backend: backend) { server in
            let client = try await server.connectAndGreet()
            try await client.send("GROUP forllm.general")
            #expect(try await client.readStatus().code == 211)
            for number in 1...3 {
                try await client.send("HEAD \(number)")
                #expect(try await client.readStatus().code == 221)
                _ = try await client.readMultiline()
            }
        }
        #expect(backend.articleReadsOnEventLoop == [true, true, true])
    }

    @Test("graceful shutdown: the command in flight is answered, then 400; idle sessions get 400 at once")
    func gracefulShutdown() async throws {
        let backend = FakeNNTPBackend.standard()
        try await NNTPTestServer.with(backend: backend) { server in
            let busy = try await server.connectAndGreet()
            let idle = try await server.connectAndGreet()
            backend.gateGroup()
            try await busy.send("GROUP forllm.general")
            await backend.waitUntilGroupIsHeld()
            await server.group.triggerGracefulShutdown()
            #expect(try await idle.readUntilClosed() == ["400 server shutting down"])
            backend.releaseGroup()
            #expect(try await busy.readUntilClosed() == ["211 3 1 3 forllm.general", "400 server shutting down"])
        }
    }

    @Test("connections that arrive while the server stops are closed, never dropped half made")
    func connectionsDuringShutdown() async throws {
        // NIO can make a connection's async channel and then drop it undelivered when the
        // listener stops at that moment; its writer then traps when the connection becomes
        // active (swift-nio issue 2637). Clients connect without pause while shutdown begins.
        for _ in 0..<10 {
            let round = try await NNTPTestServer.with { server in
                let port = server.port
                let connecting = Task {
                    var clients: [NNTPTestClient] = []
                    for _ in 0..<30 {
                        guard let client = try? await NNTPTestClient.connect(host: "127.0.0.1", port: port) else {
                            break
                        }
                        clients.append(client)
                    }
                    return clients
                }
                let first = try await server.connectAndGreet()
                try await first.close()
                return (connecting, server.logs)
            }
            let logs = round.1
            let clients = await round.0.value
            for (index, client) in clients.enumerated() {
                // Each got the greeting or the refusal, or was closed before either.
                do {
                    let lines = try await client.readUntilClosed()
                    #expect(lines.allSatisfy { $0.hasPrefix("200 ") || $0 == "400 server shutting down" }, "\(lines)")
                } catch {
                    Issue.record(
                        "client \(index) of \(clients.count): \(error) \(logs.entries.map { "\($0.message) \($0.metadata)" })"
                    )
                }
                // Hundreds of sockets left open would starve the tests that run beside this one.
                try await client.close()
            }
        }
    }

    @Test("a client that resets before the greeting does not disturb the server")
    func resetBeforeGreeting() async throws {
        try await NNTPTestServer.with { server in
            for _ in 0..<20 {
                let client = try await server.connect()
                try await client.reset()
            }
            let client = try await server.connectAndGreet()
            #expect(try await client.command("DATE").code == 111)
        }
    }

    @Test("half-close in the middle of a POST stores nothing")
    func halfCloseDuringPost() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("POST").code == 340)
            try await client.sendRaw("From: a@b.example\r\nNewsgroups: forllm.general\r\nSubject: cut\r\n\r\nhalf a bo")
            try await client.halfClose()
            #expect(try await client.readUntilClosed().isEmpty)
            #expect(server.backend.posted.isEmpty)
            let reader = try await server.connectAndGreet()
            #expect(try await reader.command("GROUP forllm.general").text == "3 1 3 forllm.general")
        }
    }

    @Test("commands sent before a half-close are all answered")
    func halfCloseAfterCommands() async throws {
        try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            try await client.sendRaw("DATE\r\nGROUP forllm.general\r\n")
            try await client.halfClose()
            #expect(try await client.readUntilClosed() == ["111 20231114221320", "211 3 1 3 forllm.general"])
        }
    }

    @Test("hundreds of stalled clients do not delay a normal one")
    func slowClients() async throws {
        try await NNTPTestServer.with(configuration: .init(maximumConnections: 1000)) { server in
            var stalled: [NNTPTestClient] = []
            for index in 0..<300 {
                let client = try await server.connect()
                // Half a command, or half an article: then nothing more.
                try await client.sendRaw(index % 2 == 0 ? "GRO" : "POST\r\nSubject: x")
                stalled.append(client)
            }
            let clock = ContinuousClock()
            let started = clock.now
            let client = try await server.connectAndGreet()
            #expect(try await client.command("GROUP forllm.general").code == 211)
            #expect(try await client.command("ARTICLE 1").code == 220)
            _ = try await client.readMultiline()
            #expect(clock.now - started < .seconds(2))
            for client in stalled {
                try await client.close()
            }
        }
    }

    @Test("after a storm of 1,000 connect-and-close the next greeting is immediate")
    func connectionStorm() async throws {
        try await NNTPTestServer.with { server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<250 {
                            let client = try await server.connect()
                            try await client.close()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let clock = ContinuousClock()
            let started = clock.now
            let client = try await server.connectAndGreet()
            #expect(clock.now - started < .seconds(1))
            #expect(try await client.command("QUIT").code == 205)
        }
    }

    @Test("authentication: 480 until AUTHINFO, then the command works")
    func authentication() async throws {
        try await NNTPTestServer.with(configuration: .init(authenticationRequired: true)) { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("MODE READER").code == 200)
            #expect(try await client.command("GROUP forllm.general").code == 480)
            #expect(try await client.command("AUTHINFO USER fred").code == 381)
            #expect(try await client.command("AUTHINFO PASS wrong").code == 481)
            #expect(try await client.command("AUTHINFO USER fred").code == 381)
            #expect(try await client.command("AUTHINFO PASS open sesame").code == 281)
            #expect(try await client.command("GROUP forllm.general").code == 211)
        }
    }

    @Test("logging: lifecycle at info, commands at debug, no article bodies")
    func logging() async throws {
        let logs = try await NNTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.command("GROUP forllm.general").code == 211)
            _ = try await client.post(
                article: "From: a@b.example\nNewsgroups: forllm.general\nSubject: secret\n\nTOP SECRET BODY\n"
            )
            #expect(try await client.command("QUIT").code == 205)
            _ = try await client.readUntilClosed()
            return server.logs
        }
        let entries = logs.entries
        #expect(entries.contains { $0.level == .info && $0.message == "NNTP server listening" })
        #expect(entries.contains { $0.level == .info && $0.message == "NNTP server stopped" })
        #expect(entries.contains { $0.level == .debug && $0.metadata["nntp.command"] == "GROUP forllm.general" })
        #expect(!entries.contains { "\($0.message) \($0.metadata)".contains("TOP SECRET BODY") })
    }
}
