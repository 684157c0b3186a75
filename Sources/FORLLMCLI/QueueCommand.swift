import ArgumentParser
import FORLLMApp
import Foundation

extension RequestStatusArgument: ExpressibleByArgument {}

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Look at and steer the requests waiting for, or given, an answer.",
        subcommands: [List.self, Show.self, Watch.self, Retry.self, Cancel.self]
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

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the running and waiting requests live, until Ctrl-C.",
            discussion: """
                A progress bar and the rate of each running request, and why each waiting one waits. \
                Redrawn in place on a terminal; plain frames, one after the other, otherwise.
                """
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "Seconds between two looks at the queue.") var interval: Double = 1
        @Flag(help: "Print one frame and stop.") var once = false

        func run() async throws {
            guard self.interval >= 0.1 else {
                printError("--interval must be at least 0.1 seconds")
                throw ExitCode.validationFailure
            }
            let admin = try await self.global.admin()
            let terminal = isatty(STDOUT_FILENO) == 1
            var samples = Admin.WatchSamples()
            while true {
                let frame = try await FORLLMCLI.run { try await admin.watchFrame(width: 100, samples: &samples) }
                // Written at once, unbuffered: a pipe sees each frame as it is drawn.
                // On a terminal no newline after the last line: a frame as high as the window must
                // not scroll its first line away.
                let text = terminal ? "\u{1B}[H\u{1B}[2J" + frame : frame + "\n\n"
                FileHandle.standardOutput.write(Data(text.utf8))
                if self.once { return }
                try await Task.sleep(for: .milliseconds(Int(self.interval * 1000)))
            }
        }
    }
}
