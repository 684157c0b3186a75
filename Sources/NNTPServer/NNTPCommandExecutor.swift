import Foundation
import NIOCore
import NNTPCore

/// Runs the commands that need storage against an ``NNTPBackend`` and writes their responses.
///
/// It is a value with no state of its own: the session's ``NNTPSessionContext`` comes in and
/// goes out changed (selected group, current article). Tests run it with a fake backend and a
/// writer that collects bytes.
public struct NNTPCommandExecutor: Sendable {
    /// The storage.
    public let backend: any NNTPBackend
    /// The server's settings that shape responses.
    public let configuration: NNTPSessionConfiguration
    /// The clock for `DATE`, `NEWGROUPS` and `NEWNEWS`.
    public let now: @Sendable () -> Date
    /// How many overview lines or header values to ask the backend for at a time.
    public let batchSize: Int

    /// Creates an executor.
    public init(
        backend: any NNTPBackend,
        configuration: NNTPSessionConfiguration,
        batchSize: Int = 1000,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.backend = backend
        self.configuration = configuration
        self.batchSize = Swift.max(1, batchSize)
        self.now = now
    }

    /// Runs `command`, writes its complete response to `writer` and flushes it.
    ///
    /// A storage failure before any part of the response was handed over is answered `403`.
    /// After part of a response went out, the response cannot be finished, so the error is
    /// rethrown and the connection must close.
    ///
    /// - Throws: ``NNTPResponseWriter/WriteError`` when the connection failed, or the backend's
    ///   error when a partly sent response cannot be finished.
    // Out of line: its frame, with the locals of every command, is allocated only once a
    // command runs (see NNTPConnection.State).
    @inline(never)
    public func execute(
        _ command: NNTPCommand,
        context: inout NNTPSessionContext,
        writer: inout NNTPResponseWriter
    ) async throws {
        var updated = context
        do {
            try await self.run(command, context: &updated, writer: &writer)
        } catch let error as NNTPResponseWriter.WriteError {
            throw error
        } catch {
            guard !writer.hasFlushed else {
                throw error
            }
            writer.discard()
            writer.buffer.writeNNTPStatusLine(.internalFault, "internal fault, try again later")
            try await writer.flush()
            return
        }
        context = updated
        try await writer.flush()
    }

    private func run(
        _ command: NNTPCommand,
        context: inout NNTPSessionContext,
        writer: inout NNTPResponseWriter
    ) async throws {
        switch command {
        case .date:
            writer.buffer.writeNNTPStatusLine(.serverDate, Self.dateStamp(self.now()))
        case .group(let name):
            try await self.group(name, context: &context, writer: &writer)
        case .listGroup(let name, let range):
            try await self.listGroup(name, range: range, context: &context, writer: &writer)
        case .last:
            try await self.neighbour(.previous, context: &context, writer: &writer)
        case .next:
            try await self.neighbour(.next, context: &context, writer: &writer)
        case .article(let selector):
            try await self.article(selector, part: .whole, context: &context, writer: &writer)
        case .head(let selector):
            try await self.article(selector, part: .head, context: &context, writer: &writer)
        case .body(let selector):
            try await self.article(selector, part: .body, context: &context, writer: &writer)
        case .stat(let selector):
            try await self.stat(selector, context: &context, writer: &writer)
        case .newGroups(let dateTime):
            try await self.newGroups(since: dateTime, writer: &writer)
        case .newNews(let wildmat, let dateTime):
            try await self.newNews(wildmat, since: dateTime, writer: &writer)
        case .list(let variant):
            try await self.list(variant, context: context, writer: &writer)
        case .over(let selector), .xover(let selector):
            try await self.over(selector, context: context, writer: &writer)
        case .hdr(let field, let selector):
            try await self.headers(field, selector, form: .hdr, context: context, writer: &writer)
        case .xhdr(let field, let selector):
            try await self.headers(field, selector, form: .xhdr, context: context, writer: &writer)
        case .xpat(let field, let selector, let pattern):
            try await self.headers(field, selector, form: .xpat(pattern), context: context, writer: &writer)
        case .capabilities, .modeReader, .quit, .help, .post, .authinfoUser, .authinfoPass, .startTLS:
            // The session answers these itself; reaching here is a bug, not a client error.
            writer.buffer.writeNNTPStatusLine(.internalFault, "internal fault")
        }
    }
}

// MARK: - Helpers

extension NNTPCommandExecutor {
    /// `yyyymmddhhmmss` in UTC.
    static func dateStamp(_ date: Date) -> String {
        let stamp = NNTPDateTime(secondsSince1970: Int64(date.timeIntervalSince1970.rounded(.down)))
        func two(_ value: Int) -> String {
            value < 10 ? "0\(value)" : "\(value)"
        }
        return "\(stamp.year)\(two(stamp.month))\(two(stamp.day))"
            + "\(two(stamp.hour))\(two(stamp.minute))\(two(stamp.second))"
    }

    /// The point in time a `NEWGROUPS`/`NEWNEWS` date-time names.
    func date(of dateTime: NNTPDateTime) -> Date {
        let now = self.now()
        let currentYear = NNTPDateTime(secondsSince1970: Int64(now.timeIntervalSince1970.rounded(.down))).year
        let offset = TimeZone.current.secondsFromGMT(for: now)
        let seconds = dateTime.secondsSince1970(currentYear: currentYear, utcOffsetSeconds: offset)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// A header value or description made safe for one line of a data block: TAB, CR, LF and
    /// NUL become spaces.
    static func sanitised(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 0 }) else {
            return value
        }
        return String(
            decoding: value.utf8.map { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 0 ? UInt8(ascii: " ") : $0 },
            as: UTF8.self
        )
    }

    /// The status letter of `LIST ACTIVE`.
    static func statusLetter(_ status: NNTPPostingStatus) -> String {
        switch status {
        case .allowed: return "y"
        case .notAllowed: return "n"
        case .moderated: return "m"
        }
    }
}
