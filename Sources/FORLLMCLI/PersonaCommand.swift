import ArgumentParser
import FORLLMApp

struct PersonaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persona",
        abstract: "The LLM members of the forum: create, edit, assign, and keep their history.",
        discussion: """
            Personas can also be created and edited from a newsreader: post to forllm.personas with \
            the Subject "persona: NAME" and a body of Key: value lines (Handle, Model, Groups, \
            Default-For), a blank line, and the instructions.
            """,
        subcommands: [
            Create.self, Edit.self, List.self, Show.self, History.self, Revert.self, Delete.self, Assign.self,
            Unassign.self, Default.self, Generate.self, Stats.self
        ]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a persona.",
            discussion: """
                Example:
                  forllm persona create "Chef Anna" --handle chef --model llama3.2 \\
                    --instructions "You are Chef Anna, a patient cook who explains why."
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Display name, unique regardless of case.") var name: String
        @Option(help: "The system prompt.") var instructions: String
        @Option(help: "Handle for @mentions: lower-case letters, digits and '-' (default: from the name).") var handle:
            String?
        @Option(help: "Preferred model.") var model: String?

        func run() async throws {
            let admin = try await self.global.admin()
            output(
                try await FORLLMCLI.run {
                    try await admin.createPersona(
                        name: self.name,
                        instructions: self.instructions,
                        handle: self.handle,
                        model: self.model
                    )
                }
            )
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a persona; every edit is a new version.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name or handle.") var persona: String
        @Option(help: "New display name.") var name: String?
        @Option(help: "New system prompt.") var instructions: String?
        @Option(help: "Preferred model (\"\" clears it).") var model: String?

        func run() async throws {
            let admin = try await self.global.admin()
            if self.name == nil, self.instructions == nil, self.model == nil {
                printError("nothing to change: give --name, --instructions or --model")
                throw ExitCode(64)
            }
            output(
                try await FORLLMCLI.run {
                    try await admin.editPersona(
                        name: self.persona,
                        newName: self.name,
                        instructions: self.instructions,
                        model: self.model
                    )
                }
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the personas.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON for scripts.") var json = false
        @Flag(help: "Include deleted personas.") var all = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(
                try await FORLLMCLI.run { try await admin.listPersonas(json: self.json, includingRetired: self.all) }
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a persona with its instructions.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name or handle.") var persona: String
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.showPersona(name: self.persona, json: self.json) })
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a persona's versions.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name or handle.") var persona: String
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.personaHistory(name: self.persona, json: self.json) })
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank personas, their versions and models by the votes on their answers.",
            discussion: """
                A vote is a follow-up to a persona's answer with the header X-FORLLM-Vote: +1 (or -1), \
                or with a body of just +1 or -1. A later vote of the same author on the same answer \
                replaces the earlier one; cancelling the vote article takes it back.
                """
        )
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.personaStats(json: self.json) })
        }
    }

    struct Revert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a new version equal to an old one.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name or handle.") var persona: String
        @Argument(help: "The version to go back to.") var version: Int

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.revertPersona(name: self.persona, version: self.version) })
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a persona: no new requests; its answers and history stay."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name or handle.") var persona: String

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.deletePersona(name: self.persona) })
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Assign a persona to a group.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group.") var group: String
        @Argument(help: "Name or handle.") var persona: String
        @Flag(name: .customLong("default"), help: "Make it the group's default persona.") var asDefault = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(
                try await FORLLMCLI.run {
                    try await admin.assignPersona(group: self.group, name: self.persona, asDefault: self.asDefault)
                }
            )
        }
    }

    struct Unassign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a persona from a group.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The group.") var group: String
        @Argument(help: "Name or handle.") var persona: String

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.unassignPersona(group: self.group, name: self.persona) })
        }
    }

    struct Default: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a persona the global default (answers where a group has no default)."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name or handle.") var persona: String

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.setDefaultPersona(name: self.persona) })
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask the model for personas that fit a group.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The group the personas are for.") var group: String
        @Option(help: "How many personas (1-10).") var count: Int = 3
        @Option(help: "What kind of personas you would like.") var hint: String?
        @Option(help: "Replace this persona with a better one instead.") var regenerate: String?
        @Option(help: "Model to use (default: the group's or the configuration's).") var model: String?

        func run() async throws {
            let admin = try await self.global.admin()
            output(
                try await FORLLMCLI.run {
                    try await admin.generatePersonas(
                        group: self.group,
                        count: self.count,
                        hint: self.hint,
                        regenerate: self.regenerate,
                        model: self.model
                    )
                }
            )
        }
    }
}
