import FORLLMForum

// The bounds of conversations between personas (`llm.max_persona_turns_per_day`,
// `llm.max_persona_depth`), beside `llm.max_persona_turns`.

extension ConfigurationKeys {
    /// `llm.max_persona_turns_per_day` (``settings`` lists it after `llm.max_persona_turns`).
    static let maximumPersonaTurnsPerDay = ConfigurationKey<FORLLMConfiguration>(
        "llm.max_persona_turns_per_day",
        .integer(0...100_000),
        \.forum.maximumPersonaTurnsPerDay,
        help: "persona-to-persona answers in 24 hours, all threads together",
        details: [
            "Mentions and @a:@b chains in persona answers and debate groups queue no more persona",
            "turns than this in any 24 hours; 0 turns them off everywhere."
        ]
    )

    /// `llm.max_persona_depth`.
    static let maximumPersonaDepth = ConfigurationKey<FORLLMConfiguration>(
        "llm.max_persona_depth",
        .integer(0...100),
        \.forum.maximumPersonaDepth,
        help: "persona answers in a row below an article of a person",
        details: [
            "A persona answering a persona answering ... stops at this depth in a branch, whatever",
            "turns the thread has left; a person's follow-up starts a new count."
        ]
    )
}
