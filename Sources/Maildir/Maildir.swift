import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One Maildir: a directory with `tmp/`, `new/` and `cur/`, written by the Maildir protocol.
///
/// A message is written to `tmp/NAME`, synced to disk (`fsync`), renamed to `new/NAME`, and
/// `new/` is synced so that the rename survives a crash; a reader sees either the whole
/// message or none. Readers move what they have seen to `cur/NAME:2,FLAGS` (`S` seen, `R`
/// replied, `F` flagged, `T` trashed, ...); ``locate(_:)`` and ``remove(_:)`` find a message by
/// its unique name wherever it went.
///
/// Messages are stored with LF line ends, the local convention of Maildir (qmail-local,
/// Dovecot's LDA and procmail write it; mutt and notmuch read it as written); a CRLF message
/// is written with each CRLF as LF and is otherwise unchanged, byte for byte.
///
/// File I/O only, synchronous and blocking: call these functions off the event loop (a thread
/// pool or a thread of their own), never from async code running on an event loop.
/// - SeeAlso: [Maildir](https://cr.yp.to/proto/maildir.html)
public struct Maildir: Hashable, Sendable {
    /// The Maildir's directory.
    public var path: String
    /// A Maildir++ folder (not the root): gets the empty `maildirfolder` file Courier and
    /// Dovecot look for.
    public var isSubfolder: Bool

    public init(path: String, isSubfolder: Bool = false) {
        self.path = path
        self.isSubfolder = isSubfolder
    }

    /// The three directories of a Maildir.
    public enum Directory: String, Hashable, Sendable, CaseIterable {
        /// Messages being written; never read.
        case tmp
        /// Delivered, not yet seen by a reader.
        case new
        /// Seen by a reader, with flags in the name (`NAME:2,S`).
        case cur
    }

    /// A message file found in the Maildir.
    public struct Entry: Hashable, Sendable {
        public var directory: Directory
        /// The file name in ``directory``: the unique name, and the reader's `:2,FLAGS` if any.
        public var fileName: String
        /// The full path.
        public var path: String

        /// The flags of a message a reader moved to `cur/` (`"S"`, `"RS"`), `nil` without the
        /// `:2,` part.
        public var flags: String? {
            guard let separator = Maildir.infoSeparator(in: self.fileName) else { return nil }
            let info = self.fileName[self.fileName.index(after: separator)...]
            guard info.hasPrefix("2,") else { return nil }
            return String(info.dropFirst(2))
        }
    }

    /// The path of `directory`.
    public func path(of directory: Directory) -> String {
        self.path + "/" + directory.rawValue
    }

    /// Creates the Maildir (and its parents) when missing; leaves an existing one alone.
    /// Blocking: call off the event loop.
    public func create() throws(MaildirError) {
        try Self.makeDirectory(self.path, intermediate: true)
        for directory in Directory.allCases {
            try Self.makeDirectory(self.path(of: directory), intermediate: false)
        }
        if self.isSubfolder {
            let marker = self.path + "/maildirfolder"
            let descriptor = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw MaildirError(.cannotCreate, "cannot create \(marker): \(Self.lastError())")
            }
            close(descriptor)
        }
    }

    /// Delivers `message` under the unique name `name` by the Maildir protocol: written to
    /// `tmp/name` (replacing what an interrupted try left there), `fsync`ed, renamed to
    /// `new/name`, and `new/` `fsync`ed unless `syncingDirectory` is false (then call
    /// ``syncDirectory(_:)`` once after a batch).
    ///
    /// It does not look whether the message is already there: a caller that may have
    /// delivered it before (a delivery interrupted by a crash) calls ``locate(_:)`` first.
    /// Blocking: call off the event loop.
    /// - Parameter message: an RFC 5322 message, CRLF or LF lines; stored with LF line ends.
    /// - Returns: the file in `new/`.
    @discardableResult
    public func deliver(
        _ message: some Collection<UInt8>,
        as name: String,
        syncingDirectory: Bool = true
    ) throws(MaildirError) -> Entry {
        try Self.checkUniqueName(name)
        let temporary = self.path(of: .tmp) + "/" + name
        let final = self.path(of: .new) + "/" + name
        try Self.writeFile(message, to: temporary, syncing: true)
        guard rename(temporary, final) == 0 else {
            let reason = Self.lastError()
            unlink(temporary)
            throw MaildirError(.cannotWrite, "cannot rename \(temporary) to \(final): \(reason)")
        }
        if syncingDirectory {
            try self.syncDirectory(.new)
        }
        return Entry(directory: .new, fileName: name, path: final)
    }

    /// `fsync`s `directory`, so that the renames into it survive a crash. Blocking.
    public func syncDirectory(_ directory: Directory) throws(MaildirError) {
        let path = self.path(of: directory)
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw MaildirError(.cannotWrite, "cannot open \(path): \(Self.lastError())") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw MaildirError(.cannotWrite, "cannot sync \(path): \(Self.lastError())")
        }
    }

    /// The files of the message with unique name `name` in `new/` and `cur/`: `new/name`,
    /// `cur/name:2,FLAGS` and any other info a reader appended (`,S=size` is part of a
    /// unique name some writers use, and is matched too). Usually none or one. Lists `cur/`:
    /// blocking, call off the event loop.
    public func locate(_ name: String) throws(MaildirError) -> [Entry] {
        try self.entries(named: name, in: [.new, .cur])
    }

    /// Removes the message with unique name `name` wherever it is (`new/`, `cur/` with any
    /// flags, and a leftover in `tmp/`), and syncs the directories it changed.
    /// - Returns: how many files were removed (0 when there was none).
    @discardableResult
    public func remove(_ name: String) throws(MaildirError) -> Int {
        let entries = try self.entries(named: name, in: Directory.allCases)
        var changed: Set<Directory> = []
        for entry in entries {
            guard unlink(entry.path) == 0 || errno == ENOENT else {
                throw MaildirError(.cannotRemove, "cannot remove \(entry.path): \(Self.lastError())")
            }
            changed.insert(entry.directory)
        }
        for directory in changed {
            try self.syncDirectory(directory)
        }
        return entries.count
    }

    /// Removes files in `tmp/` that `isStale` says are leftovers (given the file name and its
    /// modification time in seconds since 1970). The spec lets a writer clean `tmp/` files
    /// older than 36 hours; a caller passes its own rule (its own names, older than its lease).
    /// - Returns: the names removed.
    @discardableResult
    public func removeTemporaryFiles(
        where isStale: (_ name: String, _ modified: Double) -> Bool
    ) throws(MaildirError)
        -> [String]
    {
        var removed: [String] = []
        for name in try self.fileNames(in: .tmp) {
            let path = self.path(of: .tmp) + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            if isStale(name, modified), unlink(path) == 0 {
                removed.append(name)
            }
        }
        return removed
    }

    /// The file names in `directory` (dot files left out). Blocking.
    public func fileNames(in directory: Directory) throws(MaildirError) -> [String] {
        let path = self.path(of: directory)
        guard let stream = opendir(path) else {
            if errno == ENOENT { return [] }
            throw MaildirError(.cannotRead, "cannot list \(path): \(Self.lastError())")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }

    /// The unique name of a file name: what comes before the info (`:2,FLAGS`; `!` on file
    /// systems where `:` is not allowed).
    public static func baseName(of fileName: String) -> Substring {
        guard let separator = Self.infoSeparator(in: fileName) else { return Substring(fileName) }
        return fileName[..<separator]
    }

    // MARK: - Internals

    static func infoSeparator(in fileName: String) -> String.Index? {
        fileName.firstIndex { $0 == ":" || $0 == "!" }
    }

    private func entries(named name: String, in directories: [Directory]) throws(MaildirError) -> [Entry] {
        try Self.checkUniqueName(name)
        var found: [Entry] = []
        for directory in directories {
            for fileName in try self.fileNames(in: directory) where Self.fileName(fileName, hasUniqueName: name) {
                found.append(
                    Entry(directory: directory, fileName: fileName, path: self.path(of: directory) + "/" + fileName)
                )
            }
        }
        return found
    }

    /// `name`, `name:2,S`, `name!2,S`, `name,S=1234:2,S`.
    static func fileName(_ fileName: String, hasUniqueName name: String) -> Bool {
        guard fileName.hasPrefix(name) else { return false }
        let rest = fileName.utf8.dropFirst(name.utf8.count)
        guard let next = rest.first else { return true }
        return next == UInt8(ascii: ":") || next == UInt8(ascii: "!") || next == UInt8(ascii: ",")
    }

    static func checkUniqueName(_ name: String) throws(MaildirError) {
        guard !name.isEmpty, !name.hasPrefix("."), !name.utf8.contains(UInt8(ascii: "/")),
            !name.utf8.contains(UInt8(ascii: ":")), !name.utf8.contains(0)
        else {
            throw MaildirError(.invalidName, "'\(name)' is not a Maildir unique name")
        }
    }

    static func makeDirectory(_ path: String, intermediate: Bool) throws(MaildirError) {
        if mkdir(path, 0o700) == 0 { return }
        let code = errno
        if code == EEXIST {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw MaildirError(.cannotCreate, "cannot create \(path): a file of that name is in the way")
        }
        if code == ENOENT, intermediate {
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty, parent != path {
                try Self.makeDirectory(parent, intermediate: true)
                return try Self.makeDirectory(path, intermediate: false)
            }
        }
        throw MaildirError(.cannotCreate, "cannot create \(path): \(String(cString: strerror(code)))")
    }

    /// Writes `message` to `path` with LF line ends, and syncs it to disk (`fsync`) when
    /// `syncing` (a ``MaildirBatch`` syncs its files together instead). On failure nothing of it
    /// is left at `path`.
    static func writeFile(_ message: some Collection<UInt8>, to path: String, syncing: Bool) throws(MaildirError) {
        // The byte loop below runs on contiguous bytes: over a generic collection from another
        // module it is not specialised, and was most of the CPU of `forllm mail sync`.
        let result = message.withContiguousStorageIfAvailable { bytes in
            Result { () throws(MaildirError) in try Self.writeFile(bytes, to: path, syncing: syncing) }
        }
        if let result {
            try result.get()
        } else {
            try Array(message).withUnsafeBufferPointer { bytes throws(MaildirError) in
                try Self.writeFile(bytes, to: path, syncing: syncing)
            }
        }
    }

    private static func writeFile(
        _ message: UnsafeBufferPointer<UInt8>,
        to path: String,
        syncing: Bool
    ) throws(MaildirError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw MaildirError(.cannotWrite, "cannot create \(path): \(Self.lastError())") }
        var failure: String?
        var buffer: [UInt8] = []
        buffer.reserveCapacity(min(message.count, 1 << 16))
        func flush() -> Bool {
            var offset = 0
            while offset < buffer.count {
                let written = buffer.withUnsafeBytes { bytes in
                    write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            buffer.removeAll(keepingCapacity: true)
            return true
        }
        // Runs of bytes between CRLFs are copied whole; each CRLF becomes its LF.
        var runStart = 0
        var index = 0
        while index < message.count {
            if message[index] == UInt8(ascii: "\r"), index + 1 < message.count,
                message[index + 1] == UInt8(ascii: "\n")
            {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: message[runStart..<index]))
                runStart = index + 1
                index += 2
            } else {
                index += 1
            }
            if buffer.count >= 1 << 16, !flush() {
                failure = Self.lastError()
                break
            }
        }
        if failure == nil {
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: message[runStart...]))
            if !flush() {
                failure = Self.lastError()
            } else if syncing, fsync(descriptor) != 0 {
                failure = Self.lastError()
            }
        }
        if close(descriptor) != 0, failure == nil {
            failure = Self.lastError()
        }
        if let failure {
            unlink(path)
            throw MaildirError(.cannotWrite, "cannot write \(path): \(failure)")
        }
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
