@testable import FORLLMApp
@testable import FORLLMStore
import FORLLMWorker
import Foundation
import Testing

/// `forllm queue watch`'s frame: a bar and a rate per running request, a reason per waiting one.
@Suite("Queue watch")
struct QueueWatchTests {
    @Test("a running request gets a bar and its rate between two frames; a waiting one its reason")
    func frame() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func request(_ id: Int64, _ status: RequestStatus, progress: Int) -> ReplyRequest {
            ReplyRequest(
                id: id,
                kind: .answer,
                status: status,
                articleID: id,
                messageID: "<a\(id)@x>",
                groupName: "forllm.general",
                personaID: 1,
                personaHandle: "assistant",
                personaVersion: nil,
                requestedModel: nil,
                requestedBackend: nil,
                model: status == .running ? "llama3.2" : nil,
                backend: status == .running ? "ollama" : nil,
                chain: [],
                turn: 0,
                params: "{}",
                attempts: 0,
                notBefore: nil,
                error: nil,
                waitingSince: nil,
                progressChars: progress,
                answerMessageID: nil,
                answerNotes: AnswerNotes(),
                createdAt: start,
                startedAt: start,
                finishedAt: nil,
                updatedAt: start
            )
        }
        let standings: [Int64: QueueStanding] = [
            1: QueueStanding(requestID: 1, state: .running(characters: 0, since: start)),
            2: QueueStanding(requestID: 2, state: .queued, position: 1, queueLength: 1)
        ]
        var samples = Admin.WatchSamples()
        func render(progress: Int, at seconds: TimeInterval) -> String {
            Admin.renderWatchFrame(
                requests: [request(2, .pending, progress: 0), request(1, .running, progress: progress)],
                standings: standings,
                scheduleOpen: true,
                maximumCharacters: 1000,
                defaultModel: "qwen",
                calendar: calendar,
                width: 80,
                samples: &samples,
                now: start.addingTimeInterval(seconds)
            )
        }
        _ = render(progress: 100, at: 10)
        let frame = render(progress: 500, at: 20).split(separator: "\n").map(String.init)
        #expect(frame[0] == "FORLLM queue at 08:00: 1 running, 1 waiting; schedule open")
        #expect(frame.contains("#1 @assistant llama3.2 on ollama, running since 08:00"))
        // 500 of 1000 characters: half the bar; 400 characters in 10 s.
        #expect(
            frame.contains("  [####################--------------------] 500/~1000 chars, 40 chars/s, ~10.0 tokens/s")
        )
        #expect(frame.contains("#2 @assistant qwen: next in the queue; position 1 of 1"))
    }
}
