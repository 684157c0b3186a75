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
        // One snapshot: a request that starts running meanwhile is listed once. Running ones
        // first, then pending, each newest first.
        let all = try await self.requests(statuses: [.running, .pending])
        let requests = all.filter { $0.status == .running } + all.filter { $0.status != .running }
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
        return (requests, Dictionary(standings.map { ($0.requestID, $0) }, uniquingKeysWith: { first, _ in first }))
    }
}
