import ArgumentParser
import FORLLMApp
import Foundation

struct Post: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Post an article; the body is read from standard input.",
        discussion: """
            Example:
              echo "How long should bread dough proof?" | \\
                forllm post --group forllm.general \\
                  --subject "Proofing bread" --request assistant
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Group to post to (repeat to cross-post).") var group: [String]
    @Option(help: "Subject of the article (empty with --references: Re: of the parent's).") var subject: String
    @Option(help: "Author, like \"Jane <jane@example.org>\" (default: $USER at the server's hostname).") var from:
        String?
    @Option(help: "Who should answer: X-FORLLM-Request value, like \"default\", \"alice, bob\" or \"none\".")
    var request: String?
    @Option(help: "Message-ID of the article answered (repeat for the whole References chain).") var references:
        [String] = []

    func validate() throws {
        if self.group.isEmpty { throw ValidationError("give at least one --group") }
    }

    func run() async throws {
        let admin = try await self.global.admin()
        let data = await Self.readStandardInput()
        guard let text = String(data: data, encoding: .utf8) else {
            printError("the body on standard input is not UTF-8 text")
            throw ExitCode(65)
        }
        output(
            try await FORLLMCLI.run {
                try await admin.post(
                    groups: self.group,
                    subject: self.subject,
                    from: self.from,
                    request: self.request,
                    references: self.references,
                    text: text
                )
            }
        )
    }

    /// Standard input to its end, read on a thread of its own.
    ///
    /// `main` runs async code on the NIO event loop threads
    /// (`FORLLMApplication.runAsyncCodeOnEventLoops()`), and without that on the cooperative
    /// pool: a blocking read(2) in `run()` would hold one of those threads until the writer
    /// closes the pipe (at a terminal: until Ctrl-D). A thread made for this one read blocks
    /// instead, and the task waits suspended. Not `NIOThreadPool`: the CLI has no NIO of its own.
    static func readStandardInput() async -> Data {
        await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: FileHandle.standardInput.readDataToEndOfFile())
            }.start()
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database, then exit.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try self.global.load()
        let admin = try await FORLLMCLI.run { try await Admin.open(configuration, creating: true) }
        try await FORLLMCLI.run { try await admin.buildSearchIndex { printProgress($0) } }
        print("database \(configuration.databasePath) is up to date")
    }
}
