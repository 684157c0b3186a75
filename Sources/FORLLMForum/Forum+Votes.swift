import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// The persona answer `prepared` votes on, inside the injection transaction: `nil` when it
    /// casts no vote, or when a bare `+1`/`-1` follows up something other than a persona's
    /// answer (then it is an ordinary follow-up). Throws `.invalidRequest` when an
    /// `X-FORLLM-Vote` header follows up an article that is not a persona's answer here.
    func votedAnswer(of prepared: PreparedArticle, _ transaction: StoreTransaction) throws -> VotedAnswer? {
        guard let vote = prepared.vote, let parent = prepared.facts.references.last else { return nil }
        if let answer = try transaction.votedAnswer(messageID: parent.value) { return answer }
        guard vote.isExplicit else { return nil }
        throw ArticleError(
            .invalidRequest,
            "\(ArticleVote.headerName): \(parent.value) is not a persona's answer on this server; "
                + "votes are for persona answers"
        )
    }

    /// Records the vote of a stored article on `answer` (a voter's later vote on the same
    /// answer replaces the earlier one). A vote is never answered.
    func recordVote(
        of prepared: PreparedArticle,
        articleID: Int64,
        on answer: VotedAnswer,
        now: Date,
        _ transaction: StoreTransaction
    ) throws {
        guard let vote = prepared.vote, let parent = prepared.facts.references.last else { return }
        try transaction.recordVote(
            articleID: articleID,
            answerMessageID: parent,
            answer: answer,
            voter: prepared.facts.from.address.lowercased(),
            value: vote.value,
            now: now
        )
    }

    /// The tallies for `forllm persona stats`.
    public func voteStatistics() async throws -> VoteStatistics {
        try await self.database.voteStatistics()
    }
}
