import FORLLMForum
import FORLLMStore

extension Admin {
    /// `forllm persona stats`: personas, persona versions and models ranked by the votes their
    /// answers received (score = up − down, ties by the number of votes).
    public func personaStats(json: Bool) async throws -> String {
        let statistics = try await self.forum.voteStatistics()
        if json {
            struct TallyJSON: Encodable {
                var name: String
                var up: Int
                var down: Int
                var score: Int
                var answers: Int
            }
            struct StatsJSON: Encodable {
                var personas: [TallyJSON]
                var versions: [TallyJSON]
                var models: [TallyJSON]
            }
            func items(_ tallies: [VoteTally]) -> [TallyJSON] {
                tallies.map {
                    TallyJSON(name: $0.subject, up: $0.up, down: $0.down, score: $0.score, answers: $0.answers)
                }
            }
            return try JSONOutput.encode(
                StatsJSON(
                    personas: items(statistics.personas),
                    versions: items(statistics.versions),
                    models: items(statistics.models)
                )
            )
        }
        if statistics.personas.isEmpty {
            return "no votes yet: follow up a persona's answer with X-FORLLM-Vote: +1 (or -1), "
                + "or a body of just +1 or -1"
        }
        func table(_ title: String, _ tallies: [VoteTally], prefix: String) -> String {
            TextTable.render(
                header: [title, "SCORE", "UP", "DOWN", "ANSWERS"],
                rows: tallies.map {
                    [prefix + $0.subject, String($0.score), String($0.up), String($0.down), String($0.answers)]
                }
            )
        }
        return [
            table("PERSONA", statistics.personas, prefix: "@"),
            table("VERSION", statistics.versions, prefix: "@"),
            table("MODEL", statistics.models, prefix: "")
        ].joined(separator: "\n\n")
    }
}
