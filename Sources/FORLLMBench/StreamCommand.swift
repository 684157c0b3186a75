import ArgumentParser
import AsyncHTTPClient
import FORLLMWorker
import Foundation
import Logging
import NIOCore

/// `stream`: what bounding an answer costs while it streams (the token and byte bounds, the
/// repetition detector), measured through FORLLM's real Ollama client on a long answer.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Time FORLLM's LLM client reading a long streamed answer, repetition detection on and off.",
        discussion: """
            Starts a loopback Ollama stub that streams `--pieces` pieces (`wordN `, never repeating,
            about 1 MB for 130,000 pieces) without delay, and reads the answer with FORLLM's
            OllamaClient `--runs` times with llm.stop_repetition on and as many off, alternating.
            Prints the median wall time and process CPU time of a run for each, and the difference
            per piece: what the bounds add to every streamed token.
            """
    )
    @Option(help: "Streamed pieces per answer.") var pieces = 130_000
    @Option(help: "Runs of each kind.") var runs = 5

    func run() async throws {
        let stub = OllamaStub(pieces: self.pieces, pieceDelay: .zero)
        let port = try await stub.start()
        let backend = LLMBackendConfiguration(
            name: "bench",
            type: .ollama,
            url: URL(string: "http://127.0.0.1:\(port)")
        )
        let httpClient = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: LLMBackendConfiguration.httpClientConfiguration(for: [backend])
        )
        let logger = Logger(label: "forllm-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = backend.makeClient(httpClient: httpClient, logger: logger, clock: ContinuousClock())
        var wall: [Bool: [Double]] = [true: [], false: []]
        var cpu: [Bool: [Double]] = [true: [], false: []]
        var bytes = 0
        do {
            for run in 0..<(2 * self.runs + 2) {
                let detect = run % 2 == 0
                let request = LLMChatRequest(
                    model: "llama3.2",
                    messages: [LLMMessage(role: .user, content: "bench-ask-\(run)")],
                    maximumTokens: self.pieces * 2,
                    stopsRepetition: detect
                )
                let cpuBefore = ProcessCPU.ownSeconds()
                let start = ContinuousClock.now
                let result = try await client.chat(request, progress: { _ in })
                let elapsed = start.duration(to: .now)
                let cpuUsed = ProcessCPU.ownSeconds() - cpuBefore
                guard result.truncations.isEmpty else {
                    throw ValidationError(
                        "the answer was cut (\(result.truncations)): the bench text must not look like a loop"
                    )
                }
                bytes = result.text.utf8.count
                // The first run of each kind warms the connection and the allocator up.
                if run >= 2 {
                    wall[detect, default: []].append(
                        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    )
                    cpu[detect, default: []].append(cpuUsed)
                }
                FileHandle.standardError.write(
                    Data("stream run \(run + 1): \(detect ? "detect" : "plain") \(elapsed)\n".utf8)
                )
            }
        } catch {
            try? await httpClient.shutdown()
            await stub.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        await stub.shutdown()
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let wallOn = median(wall[true] ?? [])
        let wallOff = median(wall[false] ?? [])
        let cpuOn = median(cpu[true] ?? [])
        let cpuOff = median(cpu[false] ?? [])
        print("pieces=\(self.pieces)")
        print("bytes=\(bytes)")
        print(String(format: "wall_ms_detect=%.1f", wallOn * 1000))
        print(String(format: "wall_ms_plain=%.1f", wallOff * 1000))
        print(String(format: "cpu_ms_detect=%.1f", cpuOn * 1000))
        print(String(format: "cpu_ms_plain=%.1f", cpuOff * 1000))
        print(String(format: "cpu_ns_per_piece_detect=%.0f", cpuOn * 1e9 / Double(self.pieces)))
        print(String(format: "cpu_ns_per_piece_plain=%.0f", cpuOff * 1e9 / Double(self.pieces)))
        print(String(format: "detector_ns_per_piece=%.0f", (cpuOn - cpuOff) * 1e9 / Double(self.pieces)))
    }

}
