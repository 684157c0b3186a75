import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Many deliveries by the Maildir protocol, made durable together: one sync for the whole
/// batch instead of one per message, which a disk does a few hundred times a second at most.
///
/// ``add(_:as:to:)`` writes each message to `tmp/NAME`; ``commit()`` then
/// 1. makes every file written durable (``Sync``),
/// 2. renames each into `new/NAME`,
/// 3. `fsync`s each `new/` that got a file, once,
///
/// and says for each message whether it is in `new/` durably. The Maildir protocol's guarantee
/// holds for every message as it does for ``Maildir/deliver(_:as:syncingDirectory:)``: a file
/// is in `new/` only once its bytes are on disk (step 1 ends before step 2 starts), and a
/// message is reported delivered only once its rename is on disk too (step 3), so a caller that
/// records deliveries after ``commit()`` never records one a crash can take back. A crash
/// before step 2 leaves unsynced files in `tmp/`, which readers never look at, which the next
/// try of the same name overwrites and which a writer may clean.
///
/// File I/O only, synchronous and blocking: off the event loop.
public struct MaildirBatch: ~Copyable {
    /// How ``commit()`` makes the written files durable.
    public enum Sync: Hashable, Sendable {
        /// Each file is `fsync`ed as it is written, as ``Maildir/deliver(_:as:syncingDirectory:)``
        /// does: the least work for one or a few messages.
        case eachFile
        /// One `syncfs(2)` per file system the batch wrote to, after all are written: the disk
        /// is flushed once for the whole batch (about 40 ms for 256 or 2,048 files on a
        /// virtio disk that `fsync`s a single file in 3.6 ms; `fdatasync` of each file on 64
        /// threads at once took 50 to 390 ms). It also writes what else is waiting on that file
        /// system. Where there is no `syncfs` (not Linux), each file is synced instead.
        case fileSystem
    }

    /// A message written to `tmp/`, waiting for the commit.
    private struct Written {
        var maildir: Maildir
        var name: String
        /// The descriptor of the file system it is on, for `syncfs` (``Sync/fileSystem``).
        var fileSystem: Int32?
    }

    public let sync: Sync
    private var written: [Written] = []
    /// For ``Sync/fileSystem``: a descriptor per file system written to (by `st_dev`), opened
    /// before the first file is written there, so that `syncfs` reports any write-back error
    /// since (Linux 5.8 and later track them per file system, from a descriptor's opening on).
    private var fileSystems: [UInt64: Int32] = [:]

    public init(sync: Sync) {
        self.sync = sync
    }

    /// How many messages are waiting for ``commit()``.
    public var count: Int { self.written.count }

    /// Writes `message` to `maildir`'s `tmp/name` (replacing what an interrupted try left
    /// there), synced now with ``Sync/eachFile``, later otherwise. When it cannot be written it
    /// throws, nothing of it is left, and the batch goes on without it.
    /// - Parameter message: an RFC 5322 message, CRLF or LF lines; stored with LF line ends.
    public mutating func add(
        _ message: some Collection<UInt8>,
        as name: String,
        to maildir: Maildir
    ) throws(MaildirError) {
        try Maildir.checkUniqueName(name)
        let temporary = maildir.path(of: .tmp) + "/" + name
        var fileSystem: Int32?
        #if canImport(Glibc)
        if self.sync == .fileSystem {
            fileSystem = try self.fileSystemDescriptor(of: maildir.path(of: .tmp))
        }
        #endif
        try Maildir.writeFile(message, to: temporary, syncing: fileSystem == nil)
        self.written.append(Written(maildir: maildir, name: name, fileSystem: fileSystem))
    }

    /// Makes the written messages durable, moves them into `new/` and syncs each `new/`: see
    /// the type's steps. The batch is empty afterwards.
    /// - Returns: for each message added (in order), its file in `new/`, or why it is not
    ///   there durably. A message whose rename failed is removed from `tmp/`; one whose
    ///   `new/` could not be synced stays in `new/` (look for it with ``Maildir/locate(_:)``
    ///   and sync again before counting it delivered).
    public mutating func commit() -> [Result<Maildir.Entry, MaildirError>] {
        defer { self.closeFileSystems() }
        let written = self.written
        self.written = []
        var results: [Result<Maildir.Entry, MaildirError>?] = Array(repeating: nil, count: written.count)

        // 1. The bytes of every file, on disk, before any rename.
        var syncFailures: [Int32: MaildirError] = [:]
        #if canImport(Glibc)
        for descriptor in Set(written.compactMap(\.fileSystem)) where Self.syncFileSystem(descriptor) != 0 {
            syncFailures[descriptor] = MaildirError(
                .cannotWrite,
                "cannot sync the file system of the Maildir: \(Maildir.lastError())"
            )
        }
        #endif

        // 2. Into new/.
        var renamed: [Maildir: [Int]] = [:]
        for (index, file) in written.enumerated() {
            let temporary = file.maildir.path(of: .tmp) + "/" + file.name
            if let descriptor = file.fileSystem, let failure = syncFailures[descriptor] {
                unlink(temporary)
                results[index] = .failure(failure)
                continue
            }
            let final = file.maildir.path(of: .new) + "/" + file.name
            guard rename(temporary, final) == 0 else {
                let reason = Maildir.lastError()
                unlink(temporary)
                results[index] = .failure(
                    MaildirError(.cannotWrite, "cannot rename \(temporary) to \(final): \(reason)")
                )
                continue
            }
            renamed[file.maildir, default: []].append(index)
        }

        // 3. The renames on disk: each new/ once.
        for (maildir, indices) in renamed {
            let outcome: MaildirError?
            do throws(MaildirError) {
                try maildir.syncDirectory(.new)
                outcome = nil
            } catch {
                outcome = error
            }
            for index in indices {
                let file = written[index]
                results[index] =
                    outcome.map { .failure($0) }
                    ?? .success(
                        Maildir.Entry(
                            directory: .new,
                            fileName: file.name,
                            path: file.maildir.path(of: .new) + "/" + file.name
                        )
                    )
            }
        }
        return results.map { $0! }
    }

    #if canImport(Glibc)
    /// `syncfs(2)`, which the Glibc module does not export (glibc declares it only with
    /// `_GNU_SOURCE`); present in every glibc since 2.14.
    private static func syncFileSystem(_ descriptor: Int32) -> Int32 {
        guard let function = Self.syncfsFunction else {
            errno = ENOSYS
            return -1
        }
        return function(descriptor)
    }

    private static let syncfsFunction: (@Sendable @convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@Sendable @convention(c) (Int32) -> Int32).self)
    }()

    private mutating func fileSystemDescriptor(of directory: String) throws(MaildirError) -> Int32 {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw MaildirError(.cannotWrite, "cannot look at \(directory): \(Maildir.lastError())")
        }
        let device = UInt64(info.st_dev)
        if let descriptor = self.fileSystems[device] { return descriptor }
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw MaildirError(.cannotWrite, "cannot open \(directory): \(Maildir.lastError())")
        }
        self.fileSystems[device] = descriptor
        return descriptor
    }
    #endif

    deinit {
        for descriptor in self.fileSystems.values { close(descriptor) }
    }

    private mutating func closeFileSystems() {
        for descriptor in self.fileSystems.values { close(descriptor) }
        self.fileSystems = [:]
    }
}
