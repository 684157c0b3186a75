import FORLLMForum

/// One `hooks:` entry: a command run with the event as JSON on stdin whenever `on` happens.
///
/// ```yaml
/// hooks:
///   - on: answer                      # answer, failed or posted
///     run: [notify-send, "FORLLM", "an answer arrived"]
///     timeout: 30                     # seconds; killed after it
/// ```
public struct HookConfiguration: Hashable, Sendable {
    /// The event it runs on.
    public var on: ForumEvent.Kind
    /// The program and its arguments (no shell: `[sh, -c, "..."]` for one).
    public var run: [String]
    /// How long it may run before it is killed.
    public var timeout: Duration

    /// The default of `timeout`.
    public static let defaultTimeout: Duration = .seconds(30)

    public init(on: ForumEvent.Kind, run: [String], timeout: Duration = Self.defaultTimeout) {
        self.on = on
        self.run = run
        self.timeout = timeout
    }

    /// `answer: notify-send FORLLM ...`, for logs.
    var summary: String { "\(self.on.rawValue): \(self.run.joined(separator: " "))" }
}
