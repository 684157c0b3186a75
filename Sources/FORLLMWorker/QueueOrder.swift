import FORLLMStore
import Foundation

/// The order in which runnable requests go to the model servers: kept so that a server
/// reloads a model as rarely as it can and finds the start of the prompt in its cache.
///
/// A home GPU holds one or two models; switching model (or its `num_ctx`) reloads it, seconds
/// to minutes. And llama.cpp, Ollama and vLLM skip evaluating the part of a prompt they still
/// hold from the request before, which within a thread is most of it (``Prompt``). So among
/// the requests that may run now, a backend takes, in this order:
///
/// 1. an **overdue** request: one passed over by ``WorkerConfiguration/queueMaximumPassedOver``
///    later requests or more, or waiting for ``WorkerConfiguration/queueMaximumWait`` or more
///    (oldest first). This bounds what the other rules may cost any one request;
/// 2. a request for the **model the backend ran last** (it is loaded), and of those
///    - one in the **same thread**, whichever persona answers it: the prompt cache holds the
///      whole thread (the prompt puts the group's system message and the thread first, and the
///      answering persona's note only right before the requested article, ``Prompt``), so the
///      requests of one thread run back to back across personas,
///    - then any;
/// 3. any other request.
///
/// Within each rank, first come, first served (by request id). A backend that ran nothing yet
/// (or whose state is unknown) sees plain FIFO.
public enum QueueOrder {
    /// `llm.queue_order`.
    public enum Policy: String, Hashable, Sendable, CaseIterable {
        /// The ranks above.
        case hardware
        /// First come, first served (by request id), whatever is loaded.
        case fifo
    }

    /// A runnable request with what the order looks at.
    public struct Candidate: Hashable, Sendable {
        public var id: Int64
        public var backend: String
        public var model: String
        public var rootMessageID: String?
        public var createdAt: Date
        public var passedOver: Int

        public init(
            id: Int64,
            backend: String,
            model: String,
            rootMessageID: String?,
            createdAt: Date,
            passedOver: Int
        ) {
            self.id = id
            self.backend = backend
            self.model = model
            self.rootMessageID = rootMessageID
            self.createdAt = createdAt
            self.passedOver = passedOver
        }

        /// `queued`, to run on `backend` with `model`.
        public init(_ queued: QueuedRequest, backend: String, model: String) {
            self.init(
                id: queued.request.id,
                backend: backend,
                model: model,
                rootMessageID: queued.rootMessageID,
                createdAt: queued.request.createdAt,
                passedOver: queued.passedOver
            )
        }
    }

    /// `candidates` in the order they should run, given what each backend ran last.
    public static func ordered(
        _ candidates: [Candidate],
        policy: Policy = .hardware,
        loaded: [String: BackendState],
        now: Date,
        maximumPassedOver: Int,
        maximumWait: Duration
    ) -> [Candidate] {
        if policy == .fifo { return candidates.sorted { $0.id < $1.id } }
        let wait = Double(maximumWait.components.seconds)
        func rank(_ candidate: Candidate) -> Int {
            if candidate.passedOver >= maximumPassedOver || now.timeIntervalSince(candidate.createdAt) >= wait {
                return 0
            }
            guard let state = loaded[candidate.backend], state.model == candidate.model else { return 3 }
            if let root = candidate.rootMessageID, root == state.rootMessageID { return 1 }
            return 2
        }
        return candidates.map { (rank($0), $0) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.id < $1.1.id }
            .map(\.1)
    }
}
