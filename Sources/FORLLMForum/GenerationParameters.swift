import Foundation
import FORLLMStore

/// A persona the model proposed.
public struct GeneratedPersona: Hashable, Sendable, Codable {
    public var name: String
    public var handle: String?
    public var instructions: String

    public init(name: String, handle: String? = nil, instructions: String) {
        self.name = name
        self.handle = handle
        self.instructions = instructions
    }
}

/// What a generation request asks for (the request's `params`).
public struct GenerationParameters: Hashable, Sendable, Codable {
    public var count: Int
    public var hint: String?
    /// Handle of the persona to replace.
    public var regenerate: String?

    public init(count: Int, hint: String? = nil, regenerate: String? = nil) {
        self.count = count
        self.hint = hint
        self.regenerate = regenerate
    }
}

extension GenerationParameters {
    /// Most personas one generation request may ask for.
    public static let maximumCount = 10

    /// The parameters of a generation request (its `params`).
    public init(of request: ReplyRequest) throws {
        self = try JSONDecoder().decode(GenerationParameters.self, from: Data(request.params.utf8))
    }
}
