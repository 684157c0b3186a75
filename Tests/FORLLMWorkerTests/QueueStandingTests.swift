@testable import FORLLMStore
import FORLLMWorker
import Foundation
import Testing

/// Why a request waits, from stored facts and an injected time: running, its backend, a retry,
/// the schedule, its turn.
@Suite("Queue standing")
struct QueueStandingTests {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Sunday 2027-01-03 21:41 UTC.
    static let now = Self.date("2027-01-03T21:41:00Z")

    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    static func request(
        _ id: Int64,
        _ status: RequestStatus = .pending,
        attempts: Int = 0,
        notBefore: Date? = nil,
        error: String? = nil,
        waitingSince: Date? = nil,
        progress: Int = 0,
        startedAt: Date? = nil
    ) -> ReplyRequest {
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
            model: "llama3.2",
            backend: nil,
            chain: [],
            turn: 0,
            params: "{}",
            attempts: attempts,
            notBefore: notBefore,
            error: error,
            waitingSince: waitingSince,
            progressChars: progress,
            answerMessageID: nil,
            answerNotes: AnswerNotes(),
            createdAt: Self.now,
            startedAt: startedAt,
            finishedAt: nil,
            updatedAt: Self.now
        )
    }

    /// 22:00-06:00 every day.
    static let night = Schedule(windows: [
        ScheduleWindow(
            id: 1,
            days: Set(Weekday.allCases),
            start: TimeOfDay(minutes: 22 * 60),
            end: TimeOfDay(minutes: 6 * 60)
        )
    ])

    static func standings(
        _ requests: [ReplyRequest],
        positions: [Int64: Int] = [:],
        schedule: Schedule = Schedule(windows: []),
        now: Date = Self.now
    ) -> [Int64: QueueStanding] {
        let list = QueueStanding.standings(
            of: requests,
            positions: positions,
            schedule: schedule,
            calendar: Self.calendar,
            maximumAttempts: 4,
            now: now
        )
        return Dictionary(uniqueKeysWithValues: list.map { ($0.requestID, $0) })
    }

    @Test("A running request shows its progress, not the error of its last try")
    func running() throws {
        let started = Self.date("2027-01-03T21:40:00Z")
        let standing = try #require(
            Self.standings([
                Self.request(1, .running, attempts: 2, error: "cannot reach Ollama", progress: 1234, startedAt: started)
            ])[1]
        )
        #expect(standing.state == .running(characters: 1234, since: started))
        #expect(standing.lastError == nil)
        #expect(standing.position == nil)
        #expect(
            standing.reason(calendar: Self.calendar, now: Self.now) == "running since 21:40, 1234 characters so far"
        )
    }

    @Test("Held by the schedule: closed until the next window, with its place in the queue")
    func schedule() throws {
        let standings = Self.standings(
            [Self.request(1), Self.request(2), Self.request(3)],
            positions: [1: 2, 2: 1, 3: 3],
            schedule: Self.night
        )
        let standing = try #require(standings[1])
        #expect(standing.state == .waitingForSchedule(opensAt: Self.date("2027-01-03T22:00:00Z")))
        #expect(standing.nextWindow == Self.date("2027-01-03T22:00:00Z"))
        #expect(
            standing.reason(calendar: Self.calendar, now: Self.now)
                == "waiting for the schedule: closed until 22:00; position 2 of 3"
        )
        // Inside the window the same request waits only for its turn.
        let open = try #require(
            Self.standings(
                [Self.request(1)],
                positions: [1: 1],
                schedule: Self.night,
                now: Self.date("2027-01-03T23:00:00Z")
            )[1]
        )
        #expect(open.state == .queued)
        #expect(open.nextWindow == nil)
        #expect(
            open.reason(calendar: Self.calendar, now: Self.date("2027-01-03T23:00:00Z"))
                == "next in the queue; position 1 of 1"
        )
    }

    @Test("An unreachable backend: since when, and the next try")
    func backend() throws {
        let standing = try #require(
            Self.standings([
                Self.request(
                    1,
                    notBefore: Self.date("2027-01-03T21:55:00Z"),
                    error: "cannot reach Ollama",
                    waitingSince: Self.date("2027-01-03T21:40:00Z")
                )
            ])[1]
        )
        #expect(
            standing.state
                == .waitingForBackend(
                    since: Self.date("2027-01-03T21:40:00Z"),
                    nextTry: Self.date("2027-01-03T21:55:00Z")
                )
        )
        #expect(standing.lastError == "cannot reach Ollama")
        #expect(
            standing.reason(calendar: Self.calendar, now: Self.now)
                == "waiting for its backend: unreachable since 21:40, next try at 21:55"
        )
        // Its next try due, it waits for its turn like any other, saying what it met last.
        let due = try #require(
            Self.standings(
                [
                    Self.request(
                        1,
                        notBefore: Self.date("2027-01-03T21:40:30Z"),
                        error: "cannot reach Ollama",
                        waitingSince: Self.date("2027-01-03T21:40:00Z")
                    )
                ],
                positions: [1: 1]
            )[1]
        )
        #expect(due.state == .queued)
        #expect(
            due.reason(calendar: Self.calendar, now: Self.now)
                == "next in the queue; position 1 of 1 (its backend was unreachable since 21:40)"
        )
    }

    @Test("A failed attempt waits for its retry: attempt 2 of 4 at a time")
    func retry() throws {
        let standing = try #require(
            Self.standings([
                Self.request(1, attempts: 1, notBefore: Self.date("2027-01-03T21:55:00Z"), error: "HTTP 500")
            ])[1]
        )
        #expect(standing.state == .waitingForRetry(attempt: 2, of: 4, at: Self.date("2027-01-03T21:55:00Z")))
        #expect(
            standing.reason(calendar: Self.calendar, now: Self.now) == "waiting for a retry: attempt 2 of 4 at 21:55"
        )
        // The backoff over, it waits for its turn.
        let due = try #require(
            Self.standings(
                [Self.request(1, attempts: 1, notBefore: Self.date("2027-01-03T21:40:00Z"), error: "HTTP 500")],
                positions: [1: 1]
            )[1]
        )
        #expect(due.state == .queued)
    }

    @Test("Done, failed and cancelled requests have no standing")
    func finished() {
        #expect(Self.standings([Self.request(1, .done), Self.request(2, .failed), Self.request(3, .cancelled)]).isEmpty)
    }

    @Test("Times: the same day, within a week, later")
    func times() {
        #expect(
            QueueStanding.clockTime(Self.date("2027-01-03T22:00:00Z"), now: Self.now, calendar: Self.calendar)
                == "22:00"
        )
        #expect(
            QueueStanding.clockTime(Self.date("2027-01-04T22:00:00Z"), now: Self.now, calendar: Self.calendar)
                == "Mon 22:00"
        )
        #expect(
            QueueStanding.clockTime(Self.date("2027-01-24T22:00:00Z"), now: Self.now, calendar: Self.calendar)
                == "2027-01-24 22:00"
        )
    }
}
