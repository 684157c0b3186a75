import ArgumentParser
import FORLLMApp

extension RequestStatusArgument: ExpressibleByArgument {}

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Look at and steer the requests waiting for, or given, an answer.",
        subcommands: [List.self, Show.self, Retry.self, Cancel.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List requests, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this status: pending, running, done, failed or cancelled.") var status:
            RequestStatusArgument?
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.listQueue(status: self.status, json: self.json) })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one request.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's number (the ID column of forllm queue list).") var id: Int64
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.showRequest(id: self.id, json: self.json) })
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a failed or cancelled request again; for a done one, ask for a new answer beside the old."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's number (the ID column of forllm queue list).") var id: Int64

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.retryRequest(id: self.id) })
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a pending or running request.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's number (the ID column of forllm queue list).") var id: Int64

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.cancelRequest(id: self.id) })
        }
    }
}
