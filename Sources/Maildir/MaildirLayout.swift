/// How the Maildirs of several folders (one per newsgroup) sit under one root directory.
///
/// ```
/// plain:     ROOT/forllm.general/{tmp,new,cur}
/// maildir++: ROOT/{tmp,new,cur}  ROOT/.forllm.general/{tmp,new,cur,maildirfolder}
/// ```
/// - SeeAlso: [Maildir++](https://www.courier-mta.org/imap/README.maildirquota.html), and
///   Dovecot's `mail_location = maildir:ROOT` (Maildir++ is its default layout; the plain one is
///   its `:LAYOUT=fs`).
public enum MaildirLayout: String, Hashable, Sendable, CaseIterable {
    /// One Maildir per folder, named after it, directly under the root (mutt, notmuch,
    /// Dovecot's `LAYOUT=fs`).
    case plain
    /// Courier's and Dovecot's layout: the root is itself a Maildir (the INBOX), each folder a
    /// Maildir named `.FOLDER` under it with an empty `maildirfolder` file; a `.` in the folder
    /// name is the hierarchy separator (`forllm.general` is `general` under `forllm`).
    case maildirPlusPlus = "maildir++"
}
