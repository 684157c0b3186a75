/// A file or directory that `forllm import` or `forllm export` cannot use: missing,
/// unreadable, not an mbox or a Maildir. `message` names the path and the reason.
public struct MailFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
