/// The Maildirs of several folders under one root directory, in one ``MaildirLayout``.
///
/// File I/O only, synchronous and blocking: call off the event loop (a thread pool).
public struct MaildirTree: Hashable, Sendable {
    /// The root directory (absolute, or relative to the current directory).
    public var root: String
    public var layout: MaildirLayout

    public init(root: String, layout: MaildirLayout = .plain) {
        self.root = root
        self.layout = layout
    }

    /// The Maildir of `folder` (a newsgroup name), which may not exist yet.
    /// Throws ``MaildirError`` `.invalidName` for a name that is no single file name.
    public func folder(_ folder: String) throws(MaildirError) -> Maildir {
        guard !folder.isEmpty, !folder.hasPrefix("."), !folder.utf8.contains(UInt8(ascii: "/")),
            !folder.utf8.contains(0)
        else {
            throw MaildirError(.invalidName, "'\(folder)' cannot be a Maildir folder name")
        }
        switch self.layout {
        case .plain:
            return Maildir(path: self.root + "/" + folder)
        case .maildirPlusPlus:
            return Maildir(path: self.root + "/." + folder, isSubfolder: true)
        }
    }

    /// Creates the root and, for maildir++, the root's own Maildir (Dovecot and Courier take
    /// it for the INBOX). Blocking: call off the event loop.
    public func create() throws(MaildirError) {
        switch self.layout {
        case .plain:
            try Maildir.makeDirectory(self.root, intermediate: true)
        case .maildirPlusPlus:
            try Maildir(path: self.root).create()
        }
    }

    /// The Maildir of `folder`, created with its parents when missing. Blocking: call off the
    /// event loop.
    public func createFolder(_ folder: String) throws(MaildirError) -> Maildir {
        try self.create()
        let maildir = try self.folder(folder)
        try maildir.create()
        return maildir
    }
}
