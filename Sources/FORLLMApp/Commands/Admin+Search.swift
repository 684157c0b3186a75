import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import NNTPCore

extension Admin {
    struct SearchHitJSON: Encodable {
        var messageID: String
        var groups: [String]
        var subject: String
        var from: String
        var date: String
        var snippet: String
        var score: Double
    }

    /// `forllm search QUERY`: the best matches (bm25, a subject match first) with group, date,
    /// author and snippet. `groups` is a wildmat (`forllm.*,!forllm.personas`). Throws
    /// ``StoreError`` `.invalidInput` for a query FTS5 does not accept, a bad wildmat or limit.
    public func search(_ query: String, groups pattern: String?, limit: Int?, json: Bool) async throws -> String {
        var filter: GroupFilter?
        if let pattern {
            do throws(NNTPParserError) {
                let wildmat = try Wildmat(pattern)
                filter = GroupFilter(pattern: pattern, matching: { wildmat.matches($0) })
            } catch {
                throw StoreError(.invalidInput, "--group: '\(pattern)' is not a wildmat: \(error.hint)")
            }
        }
        let limit = limit ?? 20
        guard limit > 0 else { throw StoreError(.invalidInput, "--limit: must be at least 1, not \(limit)") }
        guard !query.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError(.invalidInput, "the query is empty")
        }
        let hits: [SearchHit]
        do {
            hits = try await self.forum.search(query, groups: filter, limit: limit)
        } catch let error as StoreError where error.code == .invalidInput {
            throw StoreError(.invalidInput, "'\(query)' is not a search query: \(error.message)")
        }
        if json {
            return try JSONOutput.encode(
                hits.map {
                    SearchHitJSON(
                        messageID: $0.messageID,
                        groups: $0.newsgroups.split(separator: ",").map(String.init),
                        subject: $0.subject,
                        from: $0.from,
                        date: $0.date,
                        snippet: $0.snippet,
                        score: $0.score
                    )
                }
            )
        }
        if hits.isEmpty { return "no article matches \(query)" }
        return hits.map { hit in
            """
            \(hit.subject)
              \(hit.messageID)  \(hit.newsgroups)  \(hit.date)
              \(hit.from)
              \(hit.snippet)
            """
        }.joined(separator: "\n\n")
    }

    /// Builds the full-text index of the articles stored before it existed (after an
    /// upgrade), calling `progress` with a line such as "search index: 40,000 of 100,000
    /// articles". Nothing to do: returns at once without calling it.
    public func buildSearchIndex(progress: @Sendable (String) -> Void) async throws {
        try await self.forum.buildSearchIndex { state in progress(Self.searchIndexLine(state)) }
    }

    /// What `forllm serve` does before it listens: builds the full-text index of the articles
    /// stored before it existed, logging its progress.
    func buildSearchIndex(logger: Logger) async throws {
        try await self.forum.buildSearchIndex { state in
            logger.info(
                "Building the search index of the stored articles",
                metadata: ["search.progress": "\(Self.searchIndexLine(state).dropFirst("search index: ".count))"]
            )
        }
    }

    /// "search index: 40,000 of 100,000 articles".
    static func searchIndexLine(_ state: SearchIndexProgress) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        formatter.groupingSize = 3
        func format(_ value: Int) -> String { formatter.string(from: NSNumber(value: value)) ?? "\(value)" }
        return "search index: \(format(state.done)) of \(format(state.total)) articles"
    }
}
