import Foundation
import GRDB

/// An LLM participant of the forum.
public struct Persona: Hashable, Sendable {
    public var id: Int64
    /// `[a-z0-9-]+`, unique; used in `@handle` mentions and in the persona's address.
    public var handle: String
    /// Display name, unique (case-insensitively) among the active personas.
    public var name: String
    /// The system prompt.
    public var instructions: String
    /// Preferred model, if any.
    public var model: String?
    /// Current version; every edit adds one.
    public var version: Int
    /// The built-in `Assistant`.
    public var builtin: Bool
    public var createdAt: Date
    /// Set when the persona was deleted: it takes no new requests, its history stays.
    public var retiredAt: Date?

    /// The built-in persona's handle.
    public static let builtinHandle = "assistant"

    /// Longest display name accepted.
    public static let maximumNameLength = 80

    /// The key that makes names unique regardless of case and spacing.
    public static func nameKey(_ name: String) -> String {
        name.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }

    /// Whether `handle` is `[a-z0-9-]+` (at most 40 characters, not starting or ending with `-`).
    public static func isValidHandle(_ handle: String) -> Bool {
        !handle.isEmpty && handle.utf8.count <= 40 && !handle.hasPrefix("-") && !handle.hasSuffix("-")
            && handle.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// A handle derived from a display name: ASCII letters and digits lower-cased, accents
    /// dropped, everything else a single `-`.
    public static func handle(derivedFrom name: String) -> String {
        let folded = name.folding(
            options: [.diacriticInsensitive, .caseInsensitive],
            locale: Locale(identifier: "en_US_POSIX")
        )
        var handle = ""
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                handle.unicodeScalars.append(scalar)
            } else if !handle.isEmpty, !handle.hasSuffix("-") {
                handle.append("-")
            }
        }
        while handle.hasSuffix("-") { handle.removeLast() }
        return handle.isEmpty
            ? "persona" : String(handle.prefix(32)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// The address personas write from: `handle@personas.HOSTNAME`.
    public func address(hostname: String) -> String {
        "\(self.handle)@personas.\(hostname)"
    }
}

extension Persona: Codable, FetchableRecord, TableRecord {
    public static let databaseTableName = "persona"
    /// Columns `snake_case`, dates as Unix time (`REAL`), as every table stores them.
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    /// The columns queries filter and sort on.
    public enum Columns {
        public static let id = Column("id")
        public static let handle = Column("handle")
        public static let nameKey = Column("name_key")
        public static let retiredAt = Column("retired_at")
    }
}
