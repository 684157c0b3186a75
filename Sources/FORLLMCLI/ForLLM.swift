import ArgumentParser
import FORLLMApp
import Foundation

struct ForLLM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forllm",
        abstract: "A local news server where local LLMs are members of the forum.",
        discussion: """
            Read and post with any newsreader (slrn, tin, Thunderbird) at nntp://127.0.0.1:1119. \
            Articles that ask for an answer are queued; the worker answers them with Ollama or an \
            OpenAI-compatible server inside the scheduled hours.
            """,
        version: FORLLMVersion.version,
        subcommands: [
            Serve.self, GroupCommand.self, PersonaCommand.self, QueueCommand.self, ScheduleCommand.self,
            Models.self, Post.self, MailCommand.self, Migrate.self, ConfigCommand.self,
            SendmailCommand.self, ImportCommand.self, ExportCommand.self, UserCommand.self, TLSCommand.self,
            SearchCommand.self
        ]
    )
}

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("Configuration file (default: conf/forllm.yaml when present).", valueName: "path")
    )
    var config: String?

    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: ./forllm_data.db).", valueName: "path"))
    var database: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    /// Loads the configuration with these options on top; exits 78 on a bad configuration.
    func load(extra: [String: String] = [:]) throws -> FORLLMConfiguration {
        var overrides = extra
        if let database { overrides["database"] = database }
        if let logLevel { overrides["log_level"] = logLevel }
        do {
            return try FORLLMConfiguration.load(ConfigurationSources(configPath: self.config, overrides: overrides))
        } catch let error as ConfigurationError {
            printError(error.description)
            throw ExitCode(78)
        }
    }

    /// Opens the database for an administrative command.
    func admin() async throws -> Admin {
        let configuration = try self.load()
        return try await run {
            try await Admin.open(configuration)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("forllm: \(message)\n".utf8))
}

/// Runs a command body, turning the errors people cause into one line on stderr and exit 1.
@discardableResult
func run<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        printError(describe(error))
        throw ExitCode(1)
    }
}

/// Every error of the project prints as the one line a person should read.
func describe(_ error: any Error) -> String {
    "\(error)"
}

/// Prints `text` unless it is empty.
func output(_ text: String) {
    if !text.isEmpty { print(text) }
}
