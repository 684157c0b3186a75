import ArgumentParser
import FORLLMApp
import Foundation

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the articles' full text: subject, author, body.",
        discussion: """
            The query is SQLite FTS5 syntax: words (all must match), "a phrase", prefix*, \
            OR, NOT, subject:word, author:name. The best matches come first (a match in the \
            subject counts most). Posting a query as the Subject in forllm.search does the same \
            from a newsreader.

            Examples:
              forllm search 'sourdough starter'
              forllm search '"race condition" actor*' --group 'forllm.*' --limit 5
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The query (FTS5 syntax); quote it for the shell.") var query: String
    @Option(help: ArgumentHelp("Only articles in groups matching this wildmat.", valueName: "wildmat"))
    var group: String?
    @Option(help: "At most this many hits (default 20).") var limit: Int?
    @Flag(help: "JSON for scripts.") var json = false

    func run() async throws {
        let admin = try await self.global.admin()
        try await FORLLMCLI.run { try await admin.buildSearchIndex { printProgress($0) } }
        output(
            try await FORLLMCLI.run {
                try await admin.search(self.query, groups: self.group, limit: self.limit, json: self.json)
            }
        )
    }
}

/// A line of progress on standard error (standard output stays for the result).
func printProgress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
