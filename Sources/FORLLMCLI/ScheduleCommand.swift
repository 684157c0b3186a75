import ArgumentParser
import FORLLMApp

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "The hours in which the worker may run (local time). No windows: always.",
        subcommands: [Add.self, List.self, Remove.self, Enable.self, Disable.self, Status.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a window; an end before the start passes midnight.",
            discussion: "Example: forllm schedule add --days mon-fri --start 22:00 --end 06:30"
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "Days the window starts on: mon,tue,... or mon-fri, weekdays, weekends, daily.") var days: String
        @Option(help: "Start time, HH:MM (24-hour).") var start: String
        @Option(help: "End time, HH:MM (24-hour).") var end: String

        func run() async throws {
            let admin = try await self.global.admin()
            output(
                try await FORLLMCLI.run {
                    try await admin.addScheduleWindow(days: self.days, start: self.start, end: self.end)
                }
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the windows.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.listSchedule(json: self.json) })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a window.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The window's number (the ID column of forllm schedule list).") var id: Int64

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.removeScheduleWindow(id: self.id) })
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a window.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The window's number (the ID column of forllm schedule list).") var id: Int64

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.setScheduleWindow(id: self.id, enabled: true) })
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a window without removing it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The window's number (the ID column of forllm schedule list).") var id: Int64

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.setScheduleWindow(id: self.id, enabled: false) })
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whether the worker may run now, and when the next window opens."
        )
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON for scripts: {\"active\": bool, \"next_start\": ISO-8601 or null}.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.scheduleStatus(json: self.json) })
        }
    }
}
