import FORLLMStore

/// A request the worker has claimed, with what it runs with.
public struct ClaimedJob: Sendable {
    public var request: ReplyRequest
    public var persona: Persona?
    public var model: String
    public var backend: String
}
