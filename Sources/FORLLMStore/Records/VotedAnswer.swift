/// What a vote is counted against: the persona answer it follows up.
public struct VotedAnswer: Hashable, Sendable {
    public var personaID: Int64
    public var personaVersion: Int
    /// The model that wrote the answer, when the request recorded it.
    public var model: String?

    public init(personaID: Int64, personaVersion: Int, model: String?) {
        self.personaID = personaID
        self.personaVersion = personaVersion
        self.model = model
    }
}
