import FORLLMForum
import Maildir
import NNTPCore

/// `mail.*`: delivery of the forum's articles to Maildirs. Off while ``maildir`` is unset.
public struct MailDeliveryConfiguration: Hashable, Sendable {
    /// `mail.maildir`: the root directory of the Maildirs (`~` expanded); `nil`: mail is off.
    public var maildir: String?
    /// `mail.layout`: `plain` (`ROOT/GROUP/`) or `maildir++` (`ROOT/.GROUP/`).
    public var layout: MaildirLayout = .plain
    /// `mail.groups`: a wildmat of the groups delivered. By default every group but
    /// `forllm.status`, whose articles are superseded as requests move (at most once a minute
    /// each): a newsreader shows the current one, a Maildir would gain and lose a file each time.
    public var groups: String = "*,!forllm.status"
    /// How often the deliverer looks for work it was not woken for (queued by the CLI, due
    /// retries). Work queued by this process wakes it at once.
    public var pollInterval: Duration = .seconds(2)
    /// How long a claimed delivery is left to its deliverer before another may take it.
    public var lease: Duration = .seconds(60)
    /// First retry delay after a failed write; doubles each attempt, at most ``maximumRetryDelay``.
    public var retryDelay: Duration = .seconds(5)
    public var maximumRetryDelay: Duration = .seconds(3600)
    /// Deliveries claimed (and synced) at once at first; claims double while a backlog lasts, up
    /// to 4,096.
    public var batchSize: Int = 256

    public init() {}

    /// The Maildirs, when mail is on.
    public var tree: MaildirTree? {
        self.maildir.map { MaildirTree(root: $0, layout: self.layout) }
    }

    /// The groups the forum queues deliveries for: ``groups`` when mail is on, else `nil`.
    public var deliveredGroups: GroupFilter? {
        guard self.maildir != nil else { return nil }
        // Checked when the configuration was read (ConfigurationValueType.wildmat); a pattern
        // set in code that does not parse delivers nothing rather than everything.
        guard let wildmat = try? Wildmat(self.groups) else { return GroupFilter(pattern: self.groups) { _ in false } }
        return GroupFilter(pattern: self.groups) { wildmat.matches($0) }
    }
}
