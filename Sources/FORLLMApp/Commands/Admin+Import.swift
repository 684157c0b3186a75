import FORLLMForum
import Foundation
import MailFormat
import NIOPosix

extension Admin {
    /// Messages per import transaction: large enough that commits do not dominate, small
    /// enough that an interrupted import loses little and memory stays flat.
    static let importBatchSize = 1000

    /// `forllm import mbox FILE --group G`: every message of the mbox file into `group`.
    /// mboxrd quoting is assumed unless `mboxo` (see `MboxReader`). Duplicates (by
    /// Message-ID) are skipped and counted; a message without Message-ID gets one derived from
    /// its octets, so running the same import again after an interruption stores nothing twice.
    public func importMbox(path: String, group: String, mboxo: Bool, json: Bool) async throws -> String {
        let start = ContinuousClock.now
        try await self.forum.checkImportTarget(group)
        let file = try await Self.openForReading(path)
        defer { try? file.handle.close() }
        var reader = MboxReader(quoting: mboxo ? .mboxo : .mboxrd)
        var run = ImportRun(forum: self.forum, group: group, source: path, total: file.size, unit: "bytes")
        while true {
            let handle = file.handle
            let chunk = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: 1 << 20) ?? Data() }
            let messages: [MboxMessage]
            do {
                messages = chunk.isEmpty ? try reader.finish() : try reader.read(chunk)
            } catch {
                throw MailFileError("\(path): \(error.message)")
            }
            for message in messages { try await run.add(message.bytes, done: reader.bytesRead) }
            if chunk.isEmpty { break }
        }
        try await run.finish(done: reader.bytesRead)
        return try run.report(json: json, elapsed: ContinuousClock.now - start)
    }

    /// `forllm import maildir DIR --group G`: every message file of `DIR/new` and `DIR/cur`,
    /// in file-name order (Maildir names begin with the delivery time), into `group`; the
    /// same rules as ``importMbox(path:group:mboxo:json:)``.
    public func importMaildir(path: String, group: String, json: Bool) async throws -> String {
        let start = ContinuousClock.now
        try await self.forum.checkImportTarget(group)
        let files = try await NIOThreadPool.singleton.runIfActive { try Self.maildirFiles(path) }
        var run = ImportRun(forum: self.forum, group: group, source: path, total: files.count, unit: "files")
        var done = 0
        for batch in stride(from: 0, to: files.count, by: Self.importBatchSize) {
            let names = Array(files[batch..<min(batch + Self.importBatchSize, files.count)])
            let contents = try await NIOThreadPool.singleton.runIfActive {
                try names.map { name in
                    guard let data = FileManager.default.contents(atPath: name) else {
                        throw MailFileError("cannot read \(name)")
                    }
                    return [UInt8](data)
                }
            }
            for message in contents {
                done += 1
                try await run.add(message, done: done)
            }
        }
        try await run.finish(done: done)
        return try run.report(json: json, elapsed: ContinuousClock.now - start)
    }

    /// The message files of a Maildir (`new/` and `cur/`, hidden files left out), sorted by
    /// name. Throws ``MailFileError`` when `path` has neither directory.
    static func maildirFiles(_ path: String) throws -> [String] {
        var files: [(name: String, path: String)] = []
        var found = false
        for sub in ["new", "cur"] {
            let directory = (path as NSString).appendingPathComponent(sub)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else { continue }
            found = true
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where !name.hasPrefix(".") {
                files.append((name, (directory as NSString).appendingPathComponent(name)))
            }
        }
        guard found else {
            throw MailFileError("\(path) is not a Maildir: it has no new/ or cur/ directory")
        }
        return files.sorted { $0.name < $1.name }.map(\.path)
    }

    /// Opens `path` for reading, with its size (for progress).
    static func openForReading(_ path: String) async throws -> (handle: FileHandle, size: Int) {
        try await NIOThreadPool.singleton.runIfActive {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw MailFileError("\(path): no such file")
            }
            guard !isDirectory.boolValue else {
                throw MailFileError("\(path) is a directory (for a Maildir: forllm import maildir)")
            }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw MailFileError("\(path): cannot be read")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return (handle, size)
        }
    }
}

/// One import in progress: messages gathered into batches, each batch imported in one
/// transaction, the counts summed, the progress line redrawn.
struct ImportRun {
    let forum: Forum
    let group: String
    let source: String
    /// The size of the input in `unit`s, for the percentage.
    let total: Int
    let unit: String
    private var batch: [[UInt8]] = []
    /// The previous batch being stored while the next one is read and prepared: conversion and
    /// validation on this task overlap the transaction on the store's writer.
    private var storing: Task<ImportSummary, any Error>?
    private var messages = 0
    private var summary = ImportSummary()
    private var progress = ProgressLine.onTerminal()
    private let start = ContinuousClock.now

    init(forum: Forum, group: String, source: String, total: Int, unit: String) {
        self.forum = forum
        self.group = group
        self.source = source
        self.total = total
        self.unit = unit
    }

    /// Adds one message; imports the batch when it is full. `done` is how far the input was
    /// read, in `unit`s.
    mutating func add(_ message: [UInt8], done: Int) async throws {
        self.batch.append(message)
        if self.batch.count >= Admin.importBatchSize { try await self.flush(done: done) }
    }

    /// Prepares what is gathered and starts storing it, once the previous batch is stored.
    mutating func flush(done: Int) async throws {
        guard !self.batch.isEmpty else { return }
        let first = self.messages + 1
        self.messages += self.batch.count
        let prepared = self.forum.prepareImport(self.batch, intoGroup: self.group, firstPosition: first)
        self.batch.removeAll(keepingCapacity: true)
        try await self.waitForStoring()
        let forum = self.forum
        self.storing = Task { try await forum.storeImport(prepared) }
        self.showProgress(done: done)
    }

    /// Waits for the batch being stored and counts it.
    mutating func waitForStoring() async throws {
        guard let storing = self.storing else { return }
        self.storing = nil
        self.summary.add(try await storing.value)
    }

    /// Prepares and stores the rest, and waits until everything is stored.
    mutating func finish(done: Int) async throws {
        try await self.flush(done: done)
        try await self.waitForStoring()
        self.showProgress(done: done)
    }

    private mutating func showProgress(done: Int) {
        let seconds = max((ContinuousClock.now - self.start).seconds, 0.001)
        let percent = self.total > 0 ? min(100, done * 100 / self.total) : 100
        let text =
            "importing \(self.source): \(percent)% \(self.messages) messages, \(self.summary.imported) new, "
            + "\(self.summary.duplicates) duplicate, \(self.summary.rejected) rejected "
            + "(\(Int(Double(self.messages) / seconds))/s)"
        self.progress?.show(text)
    }

    /// The summary: one line (and the first rejections), or a JSON object.
    mutating func report(json: Bool, elapsed: Duration) throws -> String {
        self.progress?.clear()
        let seconds = elapsed.seconds
        let rate = seconds > 0 ? Int(Double(self.messages) / seconds) : self.messages
        if json {
            struct Rejection: Encodable {
                var position: Int
                @Nullable var messageID: String?
                var reason: String
            }
            struct Report: Encodable {
                var group: String
                var messages: Int
                var imported: Int
                var duplicates: Int
                var rejected: Int
                var seconds: Double
                var messagesPerSecond: Int
                var rejections: [Rejection]
            }
            return try JSONOutput.encode(
                Report(
                    group: self.group,
                    messages: self.messages,
                    imported: self.summary.imported,
                    duplicates: self.summary.duplicates,
                    rejected: self.summary.rejected,
                    seconds: (seconds * 1000).rounded() / 1000,
                    messagesPerSecond: rate,
                    rejections: self.summary.rejections.map {
                        Rejection(position: $0.position, messageID: $0.messageID, reason: $0.reason)
                    }
                )
            )
        }
        var lines = [
            "imported \(self.summary.imported) of \(self.messages) messages into \(self.group) "
                + "(\(self.summary.duplicates) duplicates skipped, \(self.summary.rejected) rejected) "
                + "in \(String(format: "%.1f", seconds)) s, \(rate) messages/s"
        ]
        let shown = 10
        for rejection in self.summary.rejections.prefix(shown) {
            lines.append(
                "  rejected message \(rejection.position)"
                    + (rejection.messageID.map { " \($0)" } ?? "") + ": \(rejection.reason)"
            )
        }
        if self.summary.rejected > shown {
            lines.append("  ... and \(self.summary.rejected - shown) more (--json lists them all)")
        }
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
