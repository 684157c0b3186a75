import Foundation
import NIOCore
import NIOPosix
import NNTPServer
import Synchronization

/// An in-memory ``NNTPBackend`` for the server's tests: a few groups, articles with rendered
/// overview lines, recorded posts, and an optional gate that holds `GROUP` until released.
final class FakeNNTPBackend: NNTPBackend {
    struct StoredArticle: Sendable {
        var messageID: String
        var text: String
        var headerLength: Int
        var numbers: [String: Int64]
        var arrived: Date
    }

    struct StoredGroup: Sendable {
        var info: NNTPGroupInfo
        var numbers: [Int64: String]  // number → message-id
    }

    private struct State {
        var groups: [String: StoredGroup] = [:]
        var articles: [String: StoredArticle] = [:]
        var posted: [[UInt8]] = []
        /// The user each article of ``posted`` was posted by.
        var postedBy: [String?] = []
        var groupGate: CheckedContinuation<Void, Never>?
        var isGroupGated = false
        var gateArrivals: [CheckedContinuation<Void, Never>] = []
        var failGroups = false
        /// For each article read by number: whether it ran on a NIO event loop's thread.
        var articleReadsOnEventLoop: [Bool] = []
        /// Whether the `…InMemory` reads answer (they hold nothing by default).
        var holdsInMemory = false
        /// Groups and articles found by the `…InMemory` reads.
        var memoryHits = 0
        /// Calls of the `async` reads of one group or article (`group(named:)`,
        /// `article(inGroup:number:)`, `article(messageID:)`, `articleRef`, `overview(messageID:)`).
        var storeReads = 0
    }

    private let state = Mutex(State())
    static let hostname = "test.example"
    static let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    /// The standard fixture: `forllm.general` (3 articles), `forllm.empty`, and `misc.bulk`
    /// with `bulkCount` articles for paging.
    static func standard(bulkCount: Int = 0) -> FakeNNTPBackend {
        let backend = FakeNNTPBackend()
        backend.addGroup("forllm.general", description: "General\tdiscussion", createdAt: epoch)
        backend.addGroup("forllm.empty", description: "Nothing here", createdAt: epoch.addingTimeInterval(86_400))
        backend.addGroup("misc.bulk", description: "Many articles", createdAt: epoch.addingTimeInterval(-86_400))
        backend.addArticle(
            group: "forllm.general",
            messageID: "<one@test.example>",
            subject: "Hello world",
            from: "Alice <alice@example.com>",
            body: "First line.\r\n.A line starting with a dot\r\n..two dots\r\n"
        )
        backend.addArticle(
            group: "forllm.general",
            messageID: "<two@test.example>",
            subject: "Re: Hello world",
            from: "Bob <bob@example.com>",
            references: "<one@test.example>",
            extraHeaders: [".X-Dotted: header starting with a dot", "X-Folded: first", "\tsecond"],
            body: "Answer.\r\n"
        )
        backend.addArticle(
            group: "forllm.general",
            messageID: "<three@test.example>",
            subject: "Tabs\tin subject",
            from: "Carol <carol@example.com>",
            body: "Third.\r\n"
        )
        for index in 0..<bulkCount {
            backend.addArticle(
                group: "misc.bulk",
                messageID: "<bulk\(index)@test.example>",
                subject: "Bulk \(index)",
                from: "Bulk <bulk@example.com>",
                body: "Bulk body \(index).\r\n"
            )
        }
        return backend
    }

    func addGroup(_ name: String, description: String, createdAt: Date, status: NNTPPostingStatus = .allowed) {
        self.state.withLock { state in
            state.groups[name] = StoredGroup(
                info: NNTPGroupInfo(
                    name: name,
                    low: 1,
                    high: 0,
                    count: 0,
                    status: status,
                    description: description,
                    createdAt: createdAt,
                    creator: "admin"
                ),
                numbers: [:]
            )
        }
    }

    @discardableResult
    func addArticle(
        group: String,
        messageID: String,
        subject: String,
        from: String,
        references: String? = nil,
        extraHeaders: [String] = [],
        body: String
    ) -> Int64 {
        var headers = [
            "From: \(from)",
            "Newsgroups: \(group)",
            "Subject: \(subject)",
            "Date: Tue, 14 Nov 2023 22:13:20 +0000",
            "Message-ID: \(messageID)"
        ]
        if let references {
            headers.append("References: \(references)")
        }
        headers += extraHeaders
        let head = headers.map { $0 + "\r\n" }.joined()
        return self.store(
            text: head + "\r\n" + body,
            headerLength: head.utf8.count,
            messageID: messageID,
            groups: [group]
        )
    }

    private func store(text: String, headerLength: Int, messageID: String, groups: [String]) -> Int64 {
        self.state.withLock { state in
            var numbers: [String: Int64] = [:]
            for name in groups {
                guard var stored = state.groups[name] else {
                    continue
                }
                let number = stored.info.high + 1
                stored.info.high = number
                stored.info.count += 1
                stored.numbers[number] = messageID
                state.groups[name] = stored
                numbers[name] = number
            }
            state.articles[messageID] = StoredArticle(
                messageID: messageID,
                text: text,
                headerLength: headerLength,
                numbers: numbers,
                arrived: Self.epoch.addingTimeInterval(Double(state.articles.count))
            )
            return numbers.values.first ?? 0
        }
    }

    // MARK: - Test controls

    /// The articles `post` accepted or refused, as received.
    var posted: [[UInt8]] {
        self.state.withLock { $0.posted }
    }

    /// For each `article(inGroup:number:)` call: whether it ran on a NIO event loop's thread.
    var articleReadsOnEventLoop: [Bool] {
        self.state.withLock { $0.articleReadsOnEventLoop }
    }

    /// Who posted each article of ``posted``: the AUTHINFO user, `nil` without a login.
    var postedBy: [String?] {
        self.state.withLock { $0.postedBy }
    }

    /// Lets the `…InMemory` reads answer from the fixture, as the read cache would.
    func holdInMemory() {
        self.state.withLock { $0.holdsInMemory = true }
    }

    /// Groups and articles the `…InMemory` reads found.
    var memoryHits: Int {
        self.state.withLock { $0.memoryHits }
    }

    /// Calls of the `async` reads of one group or article.
    var storeReads: Int {
        self.state.withLock { $0.storeReads }
    }

    /// Makes `group(named:)` wait until ``releaseGroup()``.
    func gateGroup() {
        self.state.withLock { $0.isGroupGated = true }
    }

    /// Waits until a `group(named:)` call is held at the gate.
    func waitUntilGroupIsHeld() async {
        await withCheckedContinuation { continuation in
            let isHeld = self.state.withLock { state in
                if state.groupGate != nil {
                    return true
                }
                state.gateArrivals.append(continuation)
                return false
            }
            if isHeld {
                continuation.resume()
            }
        }
    }

    /// Lets the held `group(named:)` call go on.
    func releaseGroup() {
        let held = self.state.withLock { state in
            state.isGroupGated = false
            defer { state.groupGate = nil }
            return state.groupGate
        }
        held?.resume()
    }

    /// Makes `groups()` and `group(named:)` throw, as a failing store would.
    func failStorage() {
        self.state.withLock { $0.failGroups = true }
    }

    struct StorageFailure: Error {}

    // MARK: - NNTPBackend

    func groups() async throws -> [NNTPGroupInfo] {
        try self.state.withLock { state in
            if state.failGroups {
                throw StorageFailure()
            }
            return state.groups.values.map(\.info).sorted { $0.name < $1.name }
        }
    }

    func group(named name: String) async throws -> NNTPGroupInfo? {
        let mustWait = self.state.withLock { $0.isGroupGated }
        if mustWait {
            await withCheckedContinuation { continuation in
                let arrivals = self.state.withLock { state in
                    state.groupGate = continuation
                    defer { state.gateArrivals = [] }
                    return state.gateArrivals
                }
                for arrival in arrivals {
                    arrival.resume()
                }
            }
        }
        return try self.state.withLock { state in
            state.storeReads += 1
            if state.failGroups {
                throw StorageFailure()
            }
            return state.groups[name]?.info
        }
    }

    func articleNumbers(inGroup group: String, range: ClosedRange<Int64>) async throws -> [Int64] {
        self.state.withLock { state in
            (state.groups[group]?.numbers.keys.filter { range.contains($0) } ?? []).sorted()
        }
    }

    func neighbour(
        inGroup group: String,
        of number: Int64,
        direction: NNTPNeighbourDirection
    ) async throws -> NNTPArticleRef? {
        self.state.withLock { state in
            guard let numbers = state.groups[group]?.numbers else {
                return nil
            }
            let candidate: Int64?
            switch direction {
            case .next: candidate = numbers.keys.filter { $0 > number }.min()
            case .previous: candidate = numbers.keys.filter { $0 < number }.max()
            }
            return candidate.flatMap { found in numbers[found].map { NNTPArticleRef(number: found, messageID: $0) } }
        }
    }

    func groupInMemory(named name: String) -> NNTPGroupInfo? {
        self.state.withLock { state in
            guard state.holdsInMemory, !state.isGroupGated, !state.failGroups,
                let info = state.groups[name]?.info
            else { return nil }
            state.memoryHits += 1
            return info
        }
    }

    func articleInMemory(inGroup group: String, number: Int64) -> NNTPArticle? {
        self.state.withLock { state in
            guard state.holdsInMemory,
                let found = state.groups[group]?.numbers[number].flatMap({ state.articles[$0] })
            else { return nil }
            state.memoryHits += 1
            return Self.nntpArticle(found)
        }
    }

    func articleInMemory(messageID: String) -> NNTPArticle? {
        self.state.withLock { state in
            guard state.holdsInMemory, let found = state.articles[messageID] else { return nil }
            state.memoryHits += 1
            return Self.nntpArticle(found)
        }
    }

    func articleRef(inGroup group: String, number: Int64) async throws -> NNTPArticleRef? {
        self.state.withLock { state in
            state.storeReads += 1
            return state.groups[group]?.numbers[number].map { NNTPArticleRef(number: number, messageID: $0) }
        }
    }

    func article(inGroup group: String, number: Int64) async throws -> NNTPArticle? {
        let onEventLoop = MultiThreadedEventLoopGroup.currentEventLoop != nil
        return self.state.withLock { state in
            state.storeReads += 1
            state.articleReadsOnEventLoop.append(onEventLoop)
            return state.groups[group]?.numbers[number].flatMap { state.articles[$0] }.map(Self.nntpArticle)
        }
    }

    func article(messageID: String) async throws -> NNTPArticle? {
        self.state.withLock { state in
            state.storeReads += 1
            return state.articles[messageID].map(Self.nntpArticle)
        }
    }

    func overview(inGroup group: String, range: ClosedRange<Int64>, limit: Int) async throws -> NNTPOverviewBatch {
        self.state.withLock { state in
            let numbers = (state.groups[group]?.numbers ?? [:]).filter { range.contains($0.key) }.sorted {
                $0.key < $1.key
            }
            .prefix(limit)
            var lines = ByteBuffer()
            for (number, messageID) in numbers {
                guard let article = state.articles[messageID] else {
                    continue
                }
                lines.writeString("\(number)\t\(Self.overviewFields(article))\r\n")
            }
            return NNTPOverviewBatch(lines: lines, count: numbers.count, lastNumber: numbers.last?.key)
        }
    }

    func overview(messageID: String) async throws -> NNTPOverviewEntry? {
        self.state.withLock { state in
            state.storeReads += 1
            return state.articles[messageID].map {
                NNTPOverviewEntry(fields: ByteBuffer(string: Self.overviewFields($0)), numbers: $0.numbers)
            }
        }
    }

    func headerValues(
        field: String,
        inGroup group: String,
        range: ClosedRange<Int64>,
        limit: Int
    ) async throws -> [NNTPHeaderValue] {
        self.state.withLock { state in
            let numbers = (state.groups[group]?.numbers ?? [:]).filter { range.contains($0.key) }.sorted {
                $0.key < $1.key
            }
            .prefix(limit)
            return numbers.compactMap { number, messageID in
                state.articles[messageID].map { NNTPHeaderValue(number: number, value: Self.header(field, of: $0)) }
            }
        }
    }

    func articles(arrivedSince date: Date) async throws -> [NNTPNewArticle] {
        self.state.withLock { state in
            state.articles.values.filter { $0.arrived >= date }.sorted { $0.arrived < $1.arrived }
                .map { NNTPNewArticle(messageID: $0.messageID, groups: $0.numbers.keys.sorted()) }
        }
    }

    func post(_ article: [UInt8], user: String?) async -> NNTPPostOutcome {
        self.state.withLock {
            $0.posted.append(article)
            $0.postedBy.append(user)
        }
        let text = String(decoding: article, as: UTF8.self)
        guard let separator = (0..<max(0, article.count - 3)).first(where: { article[$0..<$0 + 4] == [13, 10, 13, 10] })
        else {
            return .rejected(reason: "no empty line after the header")
        }
        let headerLength = separator + 2
        let stored = StoredArticle(messageID: "", text: text, headerLength: headerLength, numbers: [:], arrived: Date())
        let newsgroups = Self.header("newsgroups", of: stored)
        guard !newsgroups.isEmpty else {
            return .rejected(reason: "Newsgroups header missing")
        }
        let groups = newsgroups.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let known = self.state.withLock { state in groups.allSatisfy { state.groups[$0] != nil } }
        guard known else {
            return .rejected(reason: "Newsgroups: no such newsgroup")
        }
        var messageID = Self.header("message-id", of: stored)
        if messageID.isEmpty {
            messageID = "<\(UUID().uuidString)@\(Self.hostname)>"
        }
        let isDuplicate = self.state.withLock { $0.articles[messageID] != nil }
        guard !isDuplicate else {
            return .duplicate(reason: "Message-ID: duplicate")
        }
        _ = self.store(text: text, headerLength: headerLength, messageID: messageID, groups: groups)
        return .posted(messageID: messageID)
    }

    func authenticate(user: String, password: String) async -> Bool {
        user == "fred" && password == "open sesame"
    }

    // MARK: - Rendering

    private static func nntpArticle(_ stored: StoredArticle) -> NNTPArticle {
        NNTPArticle(
            messageID: stored.messageID,
            bytes: ByteBuffer(string: stored.text),
            headerLength: stored.headerLength,
            numbers: stored.numbers
        )
    }

    static func header(_ field: String, of article: StoredArticle) -> String {
        let head = String(article.text.utf8.prefix(article.headerLength))!
        var value: String?
        for line in head.split(separator: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                if value != nil {
                    value! += line
                }
                continue
            }
            if value != nil {
                break
            }
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == field {
                value = parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        switch field {
        case ":bytes": return String(article.text.utf8.count)
        case ":lines": return String(article.text.utf8.dropFirst(article.headerLength + 2).filter { $0 == 10 }.count)
        default: return value ?? ""
        }
    }

    private static func overviewFields(_ article: StoredArticle) -> String {
        func clean(_ text: String) -> String {
            text.replacingOccurrences(of: "\t", with: " ")
        }
        let xref =
            "Xref: \(Self.hostname) "
            + article.numbers.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
            .joined(separator: " ")
        return [
            clean(Self.header("subject", of: article)),
            clean(Self.header("from", of: article)),
            clean(Self.header("date", of: article)),
            article.messageID,
            clean(Self.header("references", of: article)),
            Self.header(":bytes", of: article),
            Self.header(":lines", of: article),
            xref
        ].joined(separator: "\t")
    }
}
