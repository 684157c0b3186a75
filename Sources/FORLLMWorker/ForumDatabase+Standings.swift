import FORLLMStore
import Foundation

extension ForumDatabase {
    /// The standing of every pending or running request (``QueueStanding``), read from the
    /// store at `now`: the requests, the queue's order, the schedule.
    /// - Returns: the requests (newest first, as ``requests(status:limit:)`` gives them) with
    ///   their standings by id.
    public func standings(
        configuration: WorkerConfiguration,
        now: Date
    ) async throws -> (requests: [ReplyRequest], standings: [Int64: QueueStanding]) {
        let requests =
            try await self.requests(status: .running) + self.requests(status: .pending)
        let positions = QueueOrder.positions(
            of: try await self.runnableRequests(now: now, limit: 1000),
            configuration: configuration,
            loaded: try await self.backendStates(),
            now: now
        )
        let standings = QueueStanding.standings(
            of: requests,
            positions: positions,
            schedule: try await self.schedule(),
            calendar: configuration.calendar,
            maximumAttempts: configuration.maximumAttempts,
            now: now
        )
        return (requests, Dictionary(uniqueKeysWithValues: standings.map { ($0.requestID, $0) }))
    }
}
