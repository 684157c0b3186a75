import FORLLMStore
import Foundation

extension QueueOrder {
    /// The order the worker would run `runnable` in (the requests that may run now), as
    /// positions by request id (1: next). Backends are resolved without asking the servers
    /// which offers a model (the worker does): the request's, the group's, else the default;
    /// so the positions are the worker's as far as the store knows.
    public static func positions(
        of runnable: [QueuedRequest],
        configuration: WorkerConfiguration,
        loaded: [String: BackendState],
        now: Date
    ) -> [Int64: Int] {
        let candidates = runnable.map { queued in
            Candidate(
                queued,
                backend: queued.request.requestedBackend ?? queued.groupDefaultBackend
                    ?? configuration.defaultBackend,
                model: ReplyWorker.model(for: queued, default: configuration.defaultModel)
            )
        }
        let order = Self.ordered(
            candidates,
            policy: configuration.queueOrder,
            loaded: loaded,
            now: now,
            maximumPassedOver: configuration.queueMaximumPassedOver,
            maximumWait: configuration.queueMaximumWait
        )
        return Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1.id, $0 + 1) })
    }
}
