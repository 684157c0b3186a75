import ArgumentParser
import FORLLMForum
import FORLLMStore
import Foundation
import GRDB

/// `search`: full-text search over a database it builds itself (no server): imports COUNT
/// articles of a few hundred words from a fixed-seed generator into ten groups, then times
/// queries of several shapes through the forum, as `forllm search` runs them.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Build a database of COUNT generated articles, then time full-text queries of several shapes.",
        discussion: """
            Prints search_<shape>_p50_ms / _p99_ms per shape and overall, the index's size on disk, the
            import rate, and the injection cost of the index (5,000 articles imported with and without it).
            """
    )
    @Option(help: "Articles in the database.") var count = 100_000
    @Option(help: "Queries per shape (ten shapes).") var queries = 30
    @Option(help: "The directory for the databases (a fresh temporary one by default, removed after).")
    var directory: String?

    func run() async throws {
        let directory =
            self.directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "forllm-bench-search-\(ProcessInfo.processInfo.processIdentifier)"
            ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if self.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }

        let path = directory + "/search.db"
        let forum = try await Forum.open(path: path)
        var generator = TextGenerator(seed: 20_261_206)
        let started = ContinuousClock.now
        let imported = try await Self.fill(forum, count: self.count, generator: &generator)
        let seconds = Measurements.seconds(ContinuousClock.now - started)
        Measurements.report("search_articles", imported)
        Measurements.report("search_import_per_second", Double(imported) / seconds)
        try await forum.close()
        try Self.reportSize(path)

        let reopened = try await Forum.open(path: path)
        try await self.measureQueries(reopened, generator: generator)
        try await reopened.close()
        try await Self.measureInjectionCost(directory: directory)
    }

    /// Imports `count` generated articles, 1,000 per batch, into groups bench.g0 ... bench.g9.
    static func fill(_ forum: Forum, count: Int, generator: inout TextGenerator) async throws -> Int {
        for index in 0..<10 {
            try await forum.database.createGroup(name: "bench.g\(index)", description: "", mode: .off, now: Date())
        }
        var imported = 0
        var batch: [[UInt8]] = []
        var number = 0
        while number < count {
            batch.append(generator.message(number: number))
            number += 1
            if batch.count == 1000 || number == count {
                let summary = try await forum.importMail(batch, intoGroup: "bench.g\((number - 1) / 1000 % 10)")
                imported += summary.imported
                batch.removeAll(keepingCapacity: true)
                if number % 10_000 == 0 { Measurements.note("search: \(number) of \(count) articles imported") }
            }
        }
        return imported
    }

    /// The FTS5 index's size on disk (its shadow tables, from SQLite's dbstat), and the file's.
    static func reportSize(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            let index = try Int.fetchOne(
                db,
                sql: "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'article_search%'"
            )
            Measurements.report("search_index_mb", Double(index ?? 0) / 1e6, digits: 1)
        }
        try queue.close()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        Measurements.report("search_database_mb", Double((attributes[.size] as? Int) ?? 0) / 1e6, digits: 1)
    }

    /// Times `queries` queries of each shape (five, each without and with a group filter).
    func measureQueries(_ forum: Forum, generator: TextGenerator) async throws {
        let shapes: [(name: String, make: (inout TextGenerator) -> String)] = [
            ("common", { $0.commonWord() }),
            ("two_words", { "\($0.middleWord()) \($0.middleWord())" }),
            ("phrase", { "\"\($0.phrase())\"" }),
            ("prefix", { String($0.middleWord().prefix(3)) + "*" }),
            ("rare", { $0.rareWord() })
        ]
        let oneGroup = GroupFilter(pattern: "bench.g3", matching: { $0 == "bench.g3" })
        var random = generator
        random.reseed(7)
        var all: [Double] = []
        var hits = 0
        for shape in shapes {
            for (suffix, filter) in [("", nil), ("_group", oneGroup)] as [(String, GroupFilter?)] {
                var times: [Double] = []
                for _ in 0..<self.queries {
                    let query = shape.make(&random)
                    let start = ContinuousClock.now
                    hits += try await forum.search(query, groups: filter, limit: 20).count
                    times.append(Measurements.micros(ContinuousClock.now - start) / 1000)
                }
                all += times
                Measurements.report("search_\(shape.name)\(suffix)_p50_ms", Measurements.median(times), digits: 2)
                Measurements.report(
                    "search_\(shape.name)\(suffix)_p99_ms",
                    Measurements.percentile(times, 99),
                    digits: 2
                )
            }
        }
        Measurements.report("search_queries", all.count)
        Measurements.report("search_hits", hits)
        Measurements.report("search_all_p50_ms", Measurements.median(all), digits: 2)
        Measurements.report("search_all_p99_ms", Measurements.percentile(all, 99), digits: 2)
    }

    /// What the index adds to injection: 5,000 articles imported into a fresh database, and
    /// into one whose index is a plain table (same rows, no FTS5).
    static func measureInjectionCost(directory: String) async throws {
        var rates: [String: Double] = [:]
        for variant in ["with", "without"] {
            let path = directory + "/inject-\(variant).db"
            if variant == "without" {
                try await Forum.open(path: path).close()
                let queue = try DatabaseQueue(path: path)
                try await queue.write { db in
                    try db.execute(
                        sql: """
                            DROP TRIGGER article_search_delete;
                            DROP TABLE article_search;
                            CREATE TABLE article_search (subject, author, body);
                            """
                    )
                }
                try queue.close()
            }
            let forum = try await Forum.open(path: path)
            var generator = TextGenerator(seed: 99)
            let start = ContinuousClock.now
            let imported = try await Self.fill(forum, count: 5000, generator: &generator)
            rates[variant] = Double(imported) / Measurements.seconds(ContinuousClock.now - start)
            try await forum.close()
        }
        let with = rates["with"] ?? 0
        let without = rates["without"] ?? 0
        Measurements.report("search_inject_with_index_per_second", with)
        Measurements.report("search_inject_without_index_per_second", without)
        if with > 0, without > 0 {
            Measurements.report("search_inject_cost_us_per_article", 1e6 / with - 1e6 / without, digits: 0)
        }
    }
}

/// Text of a few hundred words from a fixed seed: common English words most often (Zipf), and
/// a long tail of made-up words, so that common, middling and rare words all exist.
struct TextGenerator {
    private var state: UInt64
    private let vocabulary: [String]
    /// Cumulative Zipf weights over `vocabulary`.
    private let cumulative: [Double]

    static let common = """
        the of and to a in is it you that he was for on are with as his they be at one have this from or had \
        by not word but what some we can out other were all there when up use your how said an each she which \
        do their time if will way about many then them write would like so these her long make thing see him \
        two has look more day could go come did number sound no most people my over know water than call first \
        who may down side been now find any new work part take get place made live where after back little only \
        round man year came show every good me give our under name very through just form sentence great think \
        say help low line differ turn cause much mean before move right boy old too same tell does set three want \
        air well also play small end put home read hand port large spell add even land here must big high such \
        follow act why ask men change went light kind off need house picture try us again animal point mother \
        world near build self earth father head stand own page should country found answer school grow study \
        still learn plant cover food sun four between state keep eye never last let thought city tree cross farm \
        hard start might story saw far sea draw left late run while press close night real life few north
        """.split(separator: " ").map(String.init)

    init(seed: UInt64) {
        self.state = seed
        var words = Self.common
        var made = Set(words)
        var syllables = SplitMix(seed: 1234)
        let parts = [
            "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "pa", "do", "fe", "gu", "hi", "ja", "bre",
            "str", "qua", "tho", "wen", "yl", "ox", "an", "er", "is"
        ]
        while words.count < 30_000 {
            var word = ""
            for _ in 0..<(2 + Int(syllables.next() % 3)) { word += parts[Int(syllables.next() % UInt64(parts.count))] }
            if made.insert(word).inserted { words.append(word) }
        }
        self.vocabulary = words
        var total = 0.0
        self.cumulative = (1...words.count).map { rank in
            total += 1 / Double(rank)
            return total
        }
    }

    mutating func reseed(_ seed: UInt64) {
        self.state = seed
    }

    private mutating func next() -> UInt64 {
        var mix = SplitMix(seed: self.state)
        let value = mix.next()
        self.state = mix.state
        return value
    }

    private mutating func unit() -> Double {
        Double(self.next() >> 11) / Double(1 << 53)
    }

    /// A word by Zipf's law over the vocabulary.
    mutating func word() -> String {
        let target = self.unit() * (self.cumulative.last ?? 1)
        var low = 0
        var high = self.cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if self.cumulative[middle] < target { low = middle + 1 } else { high = middle }
        }
        return self.vocabulary[low]
    }

    /// One of the ten most common words.
    mutating func commonWord() -> String { self.vocabulary[Int(self.next() % 10)] }
    /// A word of rank 200 to 2,000.
    mutating func middleWord() -> String { self.vocabulary[200 + Int(self.next() % 1800)] }
    /// A word of rank 20,000 to 30,000.
    mutating func rareWord() -> String { self.vocabulary[20_000 + Int(self.next() % 10_000)] }
    /// Two words as they follow each other in the text: a common one, then a middling one.
    mutating func phrase() -> String { "\(self.vocabulary[20 + Int(self.next() % 100)]) \(self.word())" }

    mutating func sentence(words count: Int) -> String {
        var words: [String] = []
        for _ in 0..<count { words.append(self.word()) }
        var text = words.joined(separator: " ")
        text = text.prefix(1).uppercased() + text.dropFirst()
        return text + "."
    }

    /// A mail message of 150 to 450 words, wrapped at 72 columns.
    mutating func message(number: Int) -> [UInt8] {
        let subject = self.sentence(words: 3 + Int(self.next() % 5)).dropLast()
        var body = ""
        var line = ""
        let words = 150 + Int(self.next() % 300)
        var written = 0
        while written < words {
            let length = 6 + Int(self.next() % 14)
            for word in self.sentence(words: length).split(separator: " ") {
                if line.count + word.count + 1 > 72 {
                    body += line + "\n"
                    line = ""
                }
                line += line.isEmpty ? String(word) : " " + word
            }
            written += length
            if self.next() % 5 == 0 {
                body += line + "\n\n"
                line = ""
            }
        }
        body += line + "\n"
        let author = self.next() % 500
        let headers = """
            From: Member \(author) <member\(author)@example.org>
            Subject: \(subject)
            Date: Sat, 05 Dec 2026 10:\(String(format: "%02d", number % 60)):00 +0000
            Message-ID: <search.\(number)@bench.invalid>

            """
        return Array((headers + "\n" + body).utf8)
    }
}

/// SplitMix64: a tiny fixed-seed generator (the same text on every machine and run).
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
