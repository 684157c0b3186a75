import FORLLMStore
import Foundation
import MailFormat
import NIOPosix
import NewsArticle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Admin {
    /// Articles read from the store per page of an export.
    static let exportPageSize = 500

    /// `forllm export mbox --group G [--output FILE]`: the group's articles in number order as
    /// mboxrd (``MboxWriter``): each behind a `From ` line with its author's address and its
    /// `Date` (asctime, UTC), LF line ends, `>From ` quoted.
    ///
    /// Without `output` the mbox goes to standard output and the result is empty. With it, the
    /// mbox is written to a temporary file beside `output` and renamed over it only when
    /// complete, so an interrupted export leaves no half-written file; the result then says how
    /// many articles were written.
    public func exportMbox(group: String, output: String?) async throws -> String {
        guard try await self.database.group(named: group) != nil else {
            throw StoreError(.notFound, "no group named \(group)")
        }
        let target = try await Self.exportTarget(output)
        var count = 0
        do {
            var after: Int64 = 0
            while true {
                let page = try await self.database.articles(inGroup: group, after: after, limit: Self.exportPageSize)
                guard let last = page.last else { break }
                after = last.numbers.first?.number ?? after
                var bytes: [UInt8] = []
                bytes.reserveCapacity(page.reduce(0) { $0 + $1.head.count + $1.body.count + 80 })
                for article in page {
                    let (sender, date) = Self.envelope(of: article)
                    MboxWriter.append(article.bytes, sender: sender, date: date, to: &bytes)
                }
                count += page.count
                let handle = target.handle
                let data = Data(bytes)
                try await NIOThreadPool.singleton.runIfActive { try handle.write(contentsOf: data) }
            }
            try await NIOThreadPool.singleton.runIfActive { try target.commit() }
        } catch {
            // The export failed already; a temporary file that cannot be removed is left behind.
            _ = try? await NIOThreadPool.singleton.runIfActive { target.discard() }
            throw error
        }
        guard let output else { return "" }
        return "exported \(count) article\(count == 1 ? "" : "s") of \(group) to \(output)"
    }

    /// The `From ` line's sender and date of a stored article: its `From` address and its
    /// `Date`, else `MAILER-DAEMON` and the epoch.
    static func envelope(of article: StoredArticle) -> (sender: String, date: Date) {
        let head = try? Article(parsing: Array(article.head))
        let sender = head?["From"].flatMap { try? Mailbox(parsing: $0) }?.address ?? "MAILER-DAEMON"
        let date = head?["Date"].flatMap(NewsDate.parse) ?? Date(timeIntervalSince1970: 0)
        return (sender, date)
    }

    /// Where an export writes: standard output, or a temporary file renamed to `output` at the end.
    static func exportTarget(_ output: String?) async throws -> ExportTarget {
        guard let output else { return ExportTarget(handle: FileHandle.standardOutput, temporary: nil, final: nil) }
        return try await NIOThreadPool.singleton.runIfActive {
            let directory = (output as NSString).deletingLastPathComponent
            let name = (output as NSString).lastPathComponent
            let temporary = ((directory.isEmpty ? "." : directory) as NSString)
                .appendingPathComponent(".\(name).tmp-\(ProcessInfo.processInfo.processIdentifier)")
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                let handle = FileHandle(forWritingAtPath: temporary)
            else {
                throw MailFileError(
                    "cannot write \(output): cannot create a file in \(directory.isEmpty ? "." : directory)"
                )
            }
            return ExportTarget(handle: handle, temporary: temporary, final: output)
        }
    }
}

/// The file an export writes, and how it is finished.
struct ExportTarget: Sendable {
    let handle: FileHandle
    /// The temporary file written, `nil` for standard output.
    let temporary: String?
    /// The name it gets when complete.
    let final: String?

    /// Flushes the file to disk and renames it to its final name (blocking: call it off the
    /// event loops).
    func commit() throws {
        guard let temporary, let final else { return }
        try self.handle.synchronize()
        try self.handle.close()
        if rename(temporary, final) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw MailFileError("cannot write \(final): \(reason)")
        }
    }

    /// Removes the temporary file of an export that failed.
    func discard() {
        guard let temporary else { return }
        try? self.handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }
}
