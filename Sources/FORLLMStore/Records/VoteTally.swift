/// Votes counted for one persona, one persona version or one model (`forllm persona stats`).
public struct VoteTally: Hashable, Sendable, Codable {
    /// The persona's handle, `handle v3` for a version, or the model's name.
    public var subject: String
    public var up: Int
    public var down: Int
    /// How many answers received at least one vote.
    public var answers: Int

    public init(subject: String, up: Int, down: Int, answers: Int) {
        self.subject = subject
        self.up = up
        self.down = down
        self.answers = answers
    }

    /// Up votes minus down votes.
    public var score: Int { self.up - self.down }
}

/// Every tally `forllm persona stats` shows, each list best first.
public struct VoteStatistics: Hashable, Sendable {
    public var personas: [VoteTally]
    public var versions: [VoteTally]
    public var models: [VoteTally]

    public init(personas: [VoteTally], versions: [VoteTally], models: [VoteTally]) {
        self.personas = personas
        self.versions = versions
        self.models = models
    }
}
