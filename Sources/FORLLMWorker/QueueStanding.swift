import FORLLMStore
import Foundation

/// Where a waiting or running request stands, and why it waits: what `forllm queue list`,
/// `forllm queue watch` and the articles of `forllm.status` say.
///
/// Made from stored facts only (the request row, the schedule, the queue's order), so that a
/// process other than the server's (the CLI) says the same as the server:
/// - **running**: characters so far, since when;
/// - **waiting for its backend**: it could not be reached (``ReplyRequest/waitingSince``), next
///   try at ``ReplyRequest/notBefore``;
/// - **waiting for a retry**: the last attempt failed, the next (attempt 2 of 4) is due at
///   ``ReplyRequest/notBefore``;
/// - **waiting for the schedule**: no window is open; the next one opens at a given time;
/// - **queued**: it may run now, at position N of M in ``QueueOrder``'s order.
public struct QueueStanding: Hashable, Sendable {
    /// The one reason that decides when the request goes on.
    public enum State: Hashable, Sendable {
        /// Generating: `characters` streamed so far, started at `since`.
        case running(characters: Int, since: Date?)
        /// The backend could not be reached since `since`; the next try is at `nextTry`.
        case waitingForBackend(since: Date, nextTry: Date)
        /// Attempt `attempt` of `of` is due at `at`.
        case waitingForRetry(attempt: Int, of: Int, at: Date)
        /// No schedule window is open; the next opens at `opensAt` (`nil`: none is enabled
        /// that will open).
        case waitingForSchedule(opensAt: Date?)
        /// It may run now and waits for its turn.
        case queued
    }

    public var requestID: Int64
    public var state: State
    /// Its place in the order the runnable requests go to the models (1: next); `nil` when it
    /// may not run yet (backoff) or runs.
    public var position: Int?
    /// How many requests may run now (the M of "position N of M").
    public var queueLength: Int
    /// When the schedule opens next, while it is closed; `nil` while it is open.
    public var nextWindow: Date?
    /// The last error of a waiting request; never that of a running one (it is a new try).
    public var lastError: String?
    /// Since when its backend could not be reached, while its next try is due (it is queued
    /// again and will find out).
    public var unreachableSince: Date?

    public init(
        requestID: Int64,
        state: State,
        position: Int? = nil,
        queueLength: Int = 0,
        nextWindow: Date? = nil,
        lastError: String? = nil,
        unreachableSince: Date? = nil
    ) {
        self.requestID = requestID
        self.state = state
        self.position = position
        self.queueLength = queueLength
        self.nextWindow = nextWindow
        self.lastError = lastError
        self.unreachableSince = unreachableSince
    }

    /// The standing of each pending or running request of `requests` (others are left out), in
    /// the order given.
    /// - Parameters:
    ///   - positions: the queue's order of the requests that may run now (``QueueOrder/positions(of:configuration:loaded:now:)``).
    ///   - maximumAttempts: `llm.max_attempts`, for "attempt 2 of 4".
    public static func standings(
        of requests: [ReplyRequest],
        positions: [Int64: Int],
        schedule: Schedule,
        calendar: Calendar,
        maximumAttempts: Int,
        now: Date
    ) -> [QueueStanding] {
        let open = schedule.isActive(at: now, calendar: calendar)
        let nextWindow = open ? nil : schedule.nextStart(after: now, calendar: calendar)
        return requests.compactMap { request in
            let state: State
            var lastError = request.error
            var unreachableSince: Date?
            switch request.status {
            case .running:
                state = .running(characters: request.progressChars, since: request.startedAt)
                lastError = nil
            case .pending:
                let backoff = request.notBefore.flatMap { $0 > now ? $0 : nil }
                if let since = request.waitingSince, let backoff {
                    state = .waitingForBackend(since: since, nextTry: backoff)
                } else if let backoff {
                    state = .waitingForRetry(attempt: request.attempts + 1, of: maximumAttempts, at: backoff)
                } else if !open {
                    state = .waitingForSchedule(opensAt: nextWindow)
                } else {
                    state = .queued
                }
                if backoff == nil { unreachableSince = request.waitingSince }
            case .done, .failed, .cancelled:
                return nil
            }
            return QueueStanding(
                requestID: request.id,
                state: state,
                position: request.status == .pending ? positions[request.id] : nil,
                queueLength: positions.count,
                nextWindow: nextWindow,
                lastError: lastError,
                unreachableSince: unreachableSince
            )
        }
    }

    /// A short word for the state: `running`, `backend`, `retry`, `schedule`, `queued`.
    public var stateName: String {
        switch self.state {
        case .running: "running"
        case .waitingForBackend: "backend"
        case .waitingForRetry: "retry"
        case .waitingForSchedule: "schedule"
        case .queued: "queued"
        }
    }

    /// One line for a person, times in `calendar`'s zone:
    /// `waiting for the schedule: closed until 22:00; position 3 of 7`,
    /// `running since 21:50, 1234 characters so far`,
    /// `waiting for its backend: unreachable since 21:40, next try at 21:55`.
    public func reason(calendar: Calendar, now: Date) -> String {
        func time(_ date: Date) -> String { Self.clockTime(date, now: now, calendar: calendar) }
        var text: String
        switch self.state {
        case .running(let characters, let since):
            text = "running" + (since.map { " since \(time($0))" } ?? "") + ", \(characters) characters so far"
        case .waitingForBackend(let since, let nextTry):
            text = "waiting for its backend: unreachable since \(time(since)), next try at \(time(nextTry))"
        case .waitingForRetry(let attempt, let of, let at):
            text = "waiting for a retry: attempt \(attempt) of \(of) at \(time(at))"
        case .waitingForSchedule(let opensAt):
            text = "waiting for the schedule: " + (opensAt.map { "closed until \(time($0))" } ?? "no window opens")
        case .queued:
            text = self.position == 1 ? "next in the queue" : "waiting for its turn"
        }
        switch self.state {
        case .running, .waitingForSchedule:
            break
        case .waitingForBackend, .waitingForRetry, .queued:
            // The schedule is the reason too once the other has passed.
            if let window = self.nextWindow { text += "; schedule closed until \(time(window))" }
        }
        if let position = self.position {
            text += "; position \(position) of \(self.queueLength)"
        }
        if let since = self.unreachableSince {
            text += " (its backend was unreachable since \(time(since)))"
        }
        return text
    }

    /// `21:40` on the day of `now`, `Mon 22:00` within a week, `2026-12-24 22:00` otherwise.
    public static func clockTime(_ date: Date, now: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let hourMinute = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        if calendar.isDate(date, inSameDayAs: now) { return hourMinute }
        if abs(date.timeIntervalSince(now)) < 6 * 86_400 {
            let day = Weekday(rawValue: parts.weekday ?? 1)?.shortName.capitalized ?? "?"
            return "\(day) \(hourMinute)"
        }
        return String(format: "%04d-%02d-%02d ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0) + hourMinute
    }
}
