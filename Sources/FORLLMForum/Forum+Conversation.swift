import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// The persona that speaks next when a persona's answer (`messageID`, by `authorPersonaID`)
    /// asks nobody in a debate group (`forllm group edit G --debate on`): of the personas
    /// assigned to the group, not the author, the one that answered least recently in the
    /// thread (so they take turns). Empty outside debate groups, and after a summary (it closes
    /// a discussion rather than taking part in it). The bounds of
    /// ``boundPersonaTurns(_:answering:root:now:_:)`` apply to it as to any persona turn.
    func debateTargets(
        authorPersonaID: Int64,
        answering messageID: MessageID,
        root: MessageID,
        home: GroupRow,
        _ transaction: StoreTransaction
    ) throws -> [QueuedTarget] {
        guard try transaction.isDebateGroup(home.id) else { return [] }
        if let requestID = try transaction.answerRequestID(ofArticle: messageID.value),
            try transaction.request(id: requestID).task == .summary
        {
            return []
        }
        let next = try transaction.debatePersonas(
            groupID: home.id,
            rootMessageID: root.value,
            excluding: authorPersonaID
        )
        return next.first.map { [QueuedTarget(persona: $0, chain: [])] } ?? []
    }

    /// `targets` (persona turns: answers to a persona's answer `messageID`) cut to the bounds
    /// that keep personas from talking forever: the turns the thread has left
    /// (`llm.max_persona_turns`), the turns left in the last 24 hours over all threads
    /// (`llm.max_persona_turns_per_day`), and the depth of persona answers in a row below an
    /// article of a person (`llm.max_persona_depth`).
    func boundPersonaTurns(
        _ targets: [QueuedTarget],
        answering messageID: MessageID,
        root: MessageID,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> [QueuedTarget] {
        let depth = try transaction.personaDepth(ofArticle: messageID.value) + 1
        if depth > self.configuration.maximumPersonaDepth { return [] }
        let usedInThread = try transaction.personaTurnsUsed(inThread: root)
        let usedToday = try transaction.personaTurnsQueued(since: now.addingTimeInterval(-86_400))
        let left = min(
            self.configuration.maximumPersonaTurns - usedInThread,
            self.configuration.maximumPersonaTurnsPerDay - usedToday
        )
        return Array(targets.prefix(max(0, left)))
    }
}
