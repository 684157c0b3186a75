import FORLLMStore

/// A request's status as the command line names it (`--status pending|running|...`), so that the
/// CLI can offer and check the values without seeing the store's `RequestStatus`.
public struct RequestStatusArgument: RawRepresentable, CaseIterable, Hashable, Sendable {
    let status: RequestStatus

    init(_ status: RequestStatus) {
        self.status = status
    }

    public init?(rawValue: String) {
        guard let status = RequestStatus(rawValue: rawValue) else { return nil }
        self.status = status
    }

    /// `pending`, `running`, `done`, `failed` or `cancelled`.
    public var rawValue: String { self.status.rawValue }

    /// Every status, in the store's order.
    public static var allCases: [RequestStatusArgument] { RequestStatus.allCases.map(RequestStatusArgument.init) }
}
