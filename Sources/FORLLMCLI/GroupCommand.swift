import ArgumentParser
import FORLLMApp

extension GroupModeArgument: ExpressibleByArgument {}
extension SwitchArgument: ExpressibleByArgument {}

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Create, list, show, edit and remove newsgroups.",
        subcommands: [Create.self, List.self, Show.self, Edit.self, Remove.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Group name: lower-case dot-separated parts, like forllm.cooking.") var name: String
        @Option(help: "One line shown by LIST NEWSGROUPS.") var description: String?
        @Option(help: "Whether personas answer every post (auto), only when asked (request) or never (off).")
        var mode: GroupModeArgument?
        @Flag(inversion: .prefixedNo, help: "Whether readers may post.") var posting: Bool?

        func run() async throws {
            let admin = try await self.global.admin()
            output(
                try await FORLLMCLI.run {
                    try await admin.createGroup(
                        name: self.name,
                        description: self.description,
                        mode: self.mode,
                        postingAllowed: self.posting
                    )
                }
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the groups.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.listGroups(json: self.json) })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a group with its personas.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group's name.") var name: String
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.showGroup(name: self.name, json: self.json) })
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a group's settings.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group's name.") var name: String
        @Option(help: "One line shown by LIST NEWSGROUPS.") var description: String?
        @Option(help: "Whether personas answer every post (auto), only when asked (request) or never (off).")
        var mode: GroupModeArgument?
        @Flag(inversion: .prefixedNo, help: "Whether readers may post.") var posting: Bool?
        @Option(help: "Default model for answers in this group (\"\" clears it).") var model: String?
        @Option(help: "Default backend for answers in this group (\"\" clears it).") var backend: String?
        @Option(
            help:
                "on or off: whether the group's personas answer each other on their own (within the llm.max_persona_* bounds)."
        ) var debate: SwitchArgument?

        func run() async throws {
            let admin = try await self.global.admin()
            if self.description == nil, self.mode == nil, self.posting == nil, self.model == nil, self.backend == nil,
                self.debate == nil
            {
                printError(
                    "nothing to change: give --description, --mode, --posting/--no-posting, --model, --backend or --debate"
                )
                throw ExitCode(64)
            }
            output(
                try await FORLLMCLI.run {
                    try await admin.editGroup(
                        name: self.name,
                        description: self.description,
                        mode: self.mode,
                        postingAllowed: self.posting,
                        defaultModel: self.model,
                        defaultBackend: self.backend,
                        debate: self.debate
                    )
                }
            )
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a group and its articles (articles cross-posted elsewhere stay there)."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group's name.") var name: String

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.removeGroup(name: self.name) })
        }
    }
}
