import FORLLMStore

/// A group's answering mode as the command line names it (`--mode auto|request|off`), so that
/// the CLI can offer and check the values without seeing the store's `GroupMode`.
public struct GroupModeArgument: RawRepresentable, CaseIterable, Hashable, Sendable {
    let mode: GroupMode

    init(_ mode: GroupMode) {
        self.mode = mode
    }

    public init?(rawValue: String) {
        guard let mode = GroupMode(rawValue: rawValue) else { return nil }
        self.mode = mode
    }

    /// `auto`, `request` or `off`.
    public var rawValue: String { self.mode.rawValue }

    /// Every mode, in the store's order.
    public static var allCases: [GroupModeArgument] { GroupMode.allCases.map(GroupModeArgument.init) }
}
