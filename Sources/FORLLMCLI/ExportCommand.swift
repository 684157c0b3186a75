import ArgumentParser
import FORLLMApp

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a group's articles out as a mail archive.",
        subcommands: [Mbox.self]
    )

    struct Mbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a group as an mboxrd file, in article-number order (standard output by default).",
            usage: "forllm export mbox --group G [--output FILE]"
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The group to export.") var group: String
        @Option(
            help: ArgumentHelp(
                "Write to this file (replaced only once complete) instead of standard output.",
                valueName: "file"
            )
        )
        var output: String?

        func run() async throws {
            let admin = try await self.global.admin()
            FORLLMCLI.output(
                try await FORLLMCLI.run { try await admin.exportMbox(group: self.group, output: self.output) }
            )
        }
    }
}
