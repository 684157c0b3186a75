import FORLLMForum
import FORLLMStore
import Foundation
import NewsArticle

/// The administrative side of FORLLM, for the CLI: each method does one subcommand's work
/// and returns what to print. The CLI only parses arguments and calls these; its arguments and
/// results are plain values and FORLLMApp's own types (`GroupModeArgument`,
/// `RequestStatusArgument`), so that the CLI never imports the store, the forum or the article
/// format.
///
/// Changes that the forum's rules govern (posting, personas, generation) go through the
/// ``Forum``; plain administration of stored things (groups, the queue, the schedule) goes
/// to the store.
public struct Admin: Sendable {
    let forum: Forum
    public let configuration: FORLLMConfiguration
    var database: ForumDatabase { self.forum.database }
    /// The time of a change, from the forum's clock (the one wall clock of the process).
    var now: Date { self.forum.now() }

    init(forum: Forum, configuration: FORLLMConfiguration) {
        self.forum = forum
        self.configuration = configuration
    }

    /// Opens the configured database, migrating it when needed.
    /// - Parameter creating: whether a database that does not exist is created (`forllm serve`
    ///   and `forllm migrate`); every other command refuses with ``missingDatabase(_:)``'s
    ///   message, so that a mistyped `--database` never leaves an empty database behind.
    public static func open(_ configuration: FORLLMConfiguration, creating: Bool = false) async throws -> Admin {
        if !creating, let problem = Self.missingDatabase(configuration.databasePath) {
            throw StoreError(.notFound, problem)
        }
        let forum = try await Forum.open(
            path: configuration.databasePath,
            configuration: configuration.forumConfiguration
        )
        return Admin(forum: forum, configuration: configuration)
    }

    /// Why a command other than `serve` and `migrate` cannot use the database at `path`:
    /// it does not exist. `nil` when it does.
    public static func missingDatabase(_ path: String) -> String? {
        if path == ":memory:" || FileManager.default.fileExists(atPath: path) { return nil }
        return "no database at \(path): `forllm serve` or `forllm migrate` creates it "
            + "(or give the right one with --database or the database key)"
    }
}

/// JSON for `--json`: snake_case keys, sorted, dates as ISO-8601.
enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// An optional that a `--json` object carries as `null` instead of leaving its key out, so
/// that a script can read every documented key of every object.
@propertyWrapper
struct Nullable<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = self.wrappedValue {
            // Through the container, so that the encoder's date strategy applies.
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}

/// Plain-text tables for the terminal.
enum TextTable {
    /// Columns padded to their widest cell; the last column is not padded.
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
