import AsyncHTTPClient
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Testing

@Suite("LLMStubServer", .timeLimit(.minutes(1)))
struct LLMStubServerTests {
    @Test("queued behaviours come first, then the model's, then the default echo")
    func behaviourPrecedence() async throws {
        let models: [LLMStubServer.Model] = [.init(name: "a"), .init(name: "b")]
        try await withStubClient(.ollama, models: models) { client, stub, _ in
            await stub.setBehaviour(.answer(["for b"]), forModel: "b")
            await stub.enqueue(.answer(["queued"]))
            var texts: [String] = []
            for model in ["b", "b", "a"] {
                texts.append(try await client.chat(chatRequest(model: model, user: "hi"), progress: noProgress).text)
            }
            #expect(texts == ["queued", "for b", "Answer to: hi"])
            #expect(await stub.waitForChatOutcomes(count: 3) == [.completed, .completed, .completed])
        }
    }

    @Test("a wait for requests that never come ends when its task is cancelled, before or while it waits")
    func cancelledWait() async throws {
        let stub = LLMStubServer(.ollama)
        let waiting = Task { await stub.waitForChatRequests(count: 5) }
        let inFlight = Task { await stub.waitForInFlight(atLeast: 1) }
        _ = try await withTimeout(.seconds(10), waitingFor: "two waiters") {
            while await stub.waiterCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
            return true
        }
        waiting.cancel()
        inFlight.cancel()
        // Both return (with what there is: nothing); before, they waited forever.
        #expect(await waiting.value.isEmpty)
        await inFlight.value
        #expect(await stub.waiterCount == 0)
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await stub.waitForChatOutcomes(count: 1)
        }
        #expect(await cancelledFirst.value.isEmpty)
    }

    @Test("connections accepted while the stub shuts down are closed, not dropped unfinished")
    func connectionsDuringShutdown() async throws {
        // NIO can make a connection's async channel and then drop it undelivered when the
        // listener stops at that moment; its writer then traps when the connection becomes
        // active (swift-nio issue 2637), which took a whole test run down once. Clients
        // connect without pause while the stub shuts down.
        for _ in 0..<10 {
            let stub = LLMStubServer(.ollama)
            let port = try await stub.start()
            let (connected, connection) = AsyncStream<Void>.makeStream()
            let connecting = Task {
                var clients: [NNTPTestClient] = []
                for _ in 0..<30 {
                    guard let client = try? await NNTPTestClient.connect(host: "127.0.0.1", port: port) else { break }
                    clients.append(client)
                    connection.yield()
                }
                connection.finish()
                return clients
            }
            for await _ in connected { break }
            await stub.shutdown()
            let clients = await connecting.value
            for (index, client) in clients.enumerated() {
                // Each was closed without a byte (it asked nothing).
                let lines = try await client.readUntilClosed()
                #expect(lines.isEmpty, "client \(index) of \(clients.count): \(lines)")
                try await client.close()
            }
        }
    }

    @Test("run(_:) serves while its body runs and shuts the stub down afterwards")
    func run() async throws {
        let stub = LLMStubServer(.openai)
        let port = try await stub.run { stub in
            let configuration = LLMBackendConfiguration(
                name: "stub",
                type: .openai,
                url: URL(string: await stub.baseURL)
            )
            let httpClient = HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                configuration: LLMBackendConfiguration.httpClientConfiguration(for: [configuration])
            )
            let client = OpenAIClient(configuration: configuration, httpClient: httpClient, logger: LogCapture().logger)
            let text: String
            do {
                text = try await client.chat(chatRequest(), progress: noProgress).text
                try await httpClient.shutdown()
            } catch {
                try? await httpClient.shutdown()
                throw error
            }
            #expect(text == "Answer to: What is NNTP?")
            return await stub.port
        }
        #expect(port > 0)
        try await withStubClient(.openai, url: "http://127.0.0.1:\(port)/v1") { client, _, _ in
            let error = await #expect(throws: LLMError.self) { try await client.models() }
            #expect(error?.code == .unreachable)
        }
    }
}
