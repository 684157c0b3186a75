/// Who wrote an article, as stored with it.
public struct PersonaAuthorship: Hashable, Sendable {
    public var personaID: Int64
    public var version: Int
    /// The request the article answers.
    public var requestID: Int64

    public init(personaID: Int64, version: Int, requestID: Int64) {
        self.personaID = personaID
        self.version = version
        self.requestID = requestID
    }
}
