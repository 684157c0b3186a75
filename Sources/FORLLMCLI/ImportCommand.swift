import ArgumentParser
import FORLLMApp

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring a mail archive (mbox file or Maildir) into a group.",
        discussion: """
            Messages whose Message-ID is on the server already are skipped and counted; a \
            message without one gets an ID derived from its bytes, so an interrupted import \
            can simply be run again. Dates are kept (no age limit) and no answers are asked for.
            """,
        subcommands: [Mbox.self, Maildir.self]
    )

    struct Mbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an mbox file (mboxrd quoting unless --mboxo).",
            usage: "forllm import mbox FILE --group G [--mboxo] [--json]"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The mbox file.", valueName: "file")) var file: String
        @Option(help: "The group to import into.") var group: String
        @Flag(help: "Read '>From ' quoting as mboxo (only '>From ' is unquoted), not mboxrd ('>+From ').")
        var mboxo = false
        @Flag(help: "JSON summary for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(
                try await FORLLMCLI.run {
                    try await admin.importMbox(path: self.file, group: self.group, mboxo: self.mboxo, json: self.json)
                }
            )
            // The imported articles go into the search index now, not at the server's next look.
            try await FORLLMCLI.run { try await admin.buildSearchIndex { printProgress($0) } }
        }
    }

    struct Maildir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the messages of a Maildir (its new/ and cur/).",
            usage: "forllm import maildir DIR --group G [--json]"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The Maildir directory.", valueName: "dir")) var directory: String
        @Option(help: "The group to import into.") var group: String
        @Flag(help: "JSON summary for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(
                try await FORLLMCLI.run {
                    try await admin.importMaildir(path: self.directory, group: self.group, json: self.json)
                }
            )
            // The imported articles go into the search index now, not at the server's next look.
            try await FORLLMCLI.run { try await admin.buildSearchIndex { printProgress($0) } }
        }
    }
}
