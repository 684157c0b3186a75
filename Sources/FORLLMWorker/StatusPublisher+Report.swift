import FORLLMForum
import FORLLMStore
import Foundation
import NewsArticle

extension StatusPublisher {
    /// The status article of `request`.
    func report(_ request: ReplyRequest, _ standing: QueueStanding, subject: String?, now: Date) -> StatusReport {
        Self.report(
            request,
            standing,
            subject: subject,
            defaultModel: self.configuration.defaultModel,
            calendar: self.configuration.calendar,
            now: now
        )
    }

    /// The status article of `request`: what it is (persona, article, model), then where it
    /// stands, then when it was written (left out of the digest).
    static func report(
        _ request: ReplyRequest,
        _ standing: QueueStanding,
        subject: String?,
        defaultModel: String,
        calendar: Calendar,
        now: Date
    ) -> StatusReport {
        func time(_ date: Date) -> String { QueueStanding.clockTime(date, now: now, calendar: calendar) }
        let who = request.personaHandle.map { "@\($0)" } ?? "FORLLM"
        let title = subject.map(EncodedWord.decode) ?? "(article gone)"
        let model = request.model ?? defaultModel
        let what: String
        switch request.kind {
        case .answer:
            what = "\(who) is to answer \"\(title)\"" + (request.messageID.map { "\n<news:\($0)>" } ?? "")
        case .generatePersonas:
            what = "FORLLM is to propose personas for \(request.groupName)"
        }
        var lines = [
            what,
            "in \(request.groupName) with \(model) (request \(request.id)).",
            "",
            "Now:         \(standing.reason(calendar: calendar, now: now))"
        ]
        if let window = standing.nextWindow {
            lines.append("Next window: \(time(window))")
        }
        if case .running(let characters, _) = standing.state {
            lines.append("Progress:    \(characters) characters")
        }
        lines.append("Attempts:    \(request.attempts)")
        if let error = standing.lastError {
            lines.append("Last error:  \(error.split(whereSeparator: \.isNewline).joined(separator: " "))")
        }
        let digest = lines.joined(separator: "\n")
        lines += [
            "",
            "Written at \(time(now)). This article is replaced as the request goes on and withdrawn",
            "when it is done. More: forllm queue show \(request.id)"
        ]
        let state: String
        switch standing.state {
        case .running: state = "running"
        case .waitingForBackend: state = "waits for its backend"
        case .waitingForRetry: state = "waits for a retry"
        case .waitingForSchedule: state = "waits for the schedule"
        case .queued: state = standing.position.map { "queued, \($0) of \(standing.queueLength)" } ?? "queued"
        }
        let short = title.count > 60 ? String(title.prefix(59)) + "…" : title
        return StatusReport(
            requestID: request.id,
            subject: "[\(state)] \(who): \(short)",
            text: lines.joined(separator: "\n"),
            digest: digest,
            state: "\(request.id); \(standing.stateName)"
        )
    }
}
