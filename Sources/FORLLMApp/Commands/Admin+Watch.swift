import FORLLMStore
import FORLLMWorker
import Foundation

extension Admin {
    /// What `forllm queue watch` remembers between two frames: each running request's
    /// characters and when they were read, for its rate.
    public struct WatchSamples: Sendable {
        var samples: [Int64: (characters: Int, at: Date)] = [:]

        public init() {}
    }

    /// One frame of `forllm queue watch`: the schedule, then each running request with a
    /// progress bar and its rate, then each waiting one with why it waits. Only reads.
    public func watchFrame(width: Int = 80, samples: inout WatchSamples) async throws -> String {
        let now = self.now
        let worker = self.configuration.workerConfiguration
        let (requests, standings) = try await self.database.standings(configuration: worker, now: now)
        let schedule = try await self.database.schedule()
        return Self.renderWatchFrame(
            requests: requests,
            standings: standings,
            scheduleOpen: schedule.isActive(at: now, calendar: worker.calendar),
            maximumCharacters: worker.maximumAnswerTokens * Self.charactersPerToken,
            defaultModel: worker.defaultModel,
            calendar: worker.calendar,
            width: width,
            samples: &samples,
            now: now
        )
    }

    /// The rough size of a token in characters, for the bar's end and tokens per second (the
    /// server reports tokens only when an answer is done).
    static let charactersPerToken = 4

    static func renderWatchFrame(
        requests: [ReplyRequest],
        standings: [Int64: QueueStanding],
        scheduleOpen: Bool,
        maximumCharacters: Int,
        defaultModel: String,
        calendar: Calendar,
        width: Int,
        samples: inout WatchSamples,
        now: Date
    ) -> String {
        let running = requests.filter { $0.status == .running }.sorted { $0.id < $1.id }
        let waiting = requests.filter { $0.status == .pending }.sorted {
            (standings[$0.id]?.position ?? Int.max, $0.id) < (standings[$1.id]?.position ?? Int.max, $1.id)
        }
        let time = QueueStanding.clockTime(now, now: now, calendar: calendar)
        var lines = [
            "FORLLM queue at \(time): \(running.count) running, \(waiting.count) waiting; schedule "
                + (scheduleOpen
                    ? "open"
                    : (waiting.compactMap { standings[$0.id]?.nextWindow }.first.map {
                        "closed until \(QueueStanding.clockTime($0, now: now, calendar: calendar))"
                    } ?? "closed"))
        ]
        var next = WatchSamples()
        for request in running {
            let who = request.personaHandle.map { "@\($0)" } ?? "(generate)"
            let since = request.startedAt.map { " since \(QueueStanding.clockTime($0, now: now, calendar: calendar))" }
            lines.append("")
            lines.append(
                "#\(request.id) \(who) \(request.model ?? "-") on \(request.backend ?? "-"), running\(since ?? "")"
            )
            let characters = request.progressChars
            var rate: Double?
            if let previous = samples.samples[request.id], now > previous.at, characters >= previous.characters {
                rate = Double(characters - previous.characters) / now.timeIntervalSince(previous.at)
            } else if let started = request.startedAt, now > started {
                rate = Double(characters) / now.timeIntervalSince(started)
            }
            next.samples[request.id] = (characters, now)
            let barWidth = max(10, min(40, width - 40))
            let fraction = min(1, Double(characters) / Double(max(maximumCharacters, 1)))
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            let bar =
                "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]"
            var line = "  \(bar) \(characters)/~\(maximumCharacters) chars"
            if let rate {
                line += String(format: ", %.0f chars/s, ~%.1f tokens/s", rate, rate / Double(Self.charactersPerToken))
            }
            lines.append(line)
        }
        if !waiting.isEmpty { lines.append("") }
        for request in waiting {
            let who = request.personaHandle.map { "@\($0)" } ?? "(generate)"
            let reason = standings[request.id]?.reason(calendar: calendar, now: now) ?? "waiting"
            let model = request.model ?? defaultModel
            lines.append(Self.oneLine("#\(request.id) \(who) \(model): \(reason)", limit: width))
        }
        samples = next
        return lines.joined(separator: "\n")
    }
}
