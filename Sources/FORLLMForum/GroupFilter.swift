/// Which groups something applies to: the groups delivered to the Maildirs (`mail.groups`, a
/// wildmat such as `forllm.*,!forllm.personas`).
///
/// The forum knows no wildmat syntax (that is NNTP's); whoever builds the configuration gives
/// the pattern as written and the function that matches it. Two filters are equal when their
/// patterns are.
public struct GroupFilter: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written, for messages and `==`.
    public let pattern: String
    private let matcher: @Sendable (String) -> Bool

    public init(pattern: String, matching matcher: @escaping @Sendable (String) -> Bool) {
        self.pattern = pattern
        self.matcher = matcher
    }

    /// Every group (`*`).
    public static let all = GroupFilter(pattern: "*", matching: { _ in true })

    /// Whether group `name` is one of them.
    public func matches(_ name: String) -> Bool {
        self.matcher(name)
    }

    public var description: String { self.pattern }

    public static func == (lhs: GroupFilter, rhs: GroupFilter) -> Bool {
        lhs.pattern == rhs.pattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.pattern)
    }
}
