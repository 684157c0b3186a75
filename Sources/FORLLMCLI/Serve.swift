import ArgumentParser
import FORLLMApp
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the news server and the LLM worker (stop with Ctrl-C).",
        discussion: """
            With no configuration file this listens on 127.0.0.1:1119, keeps everything in \
            ./forllm_data.db (created on first start), and expects Ollama at http://127.0.0.1:11434. \
            Point a newsreader at nntp://127.0.0.1:1119 and post to forllm.general.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to listen on, HOST:PORT or [IPv6]:PORT (default 127.0.0.1:1119).") var listen: String?

    func run() async throws {
        var extra: [String: String] = [:]
        if let listen = self.listen { extra["server.listen"] = listen }
        let configuration = try self.global.load(extra: extra)
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "forllm")
        FORLLMApplication.ignoreSIGPIPE()
        FORLLMApplication.raiseFileLimit()
        let assembly = try await FORLLMCLI.run {
            do {
                return try await FORLLMApplication.assemble(configuration: configuration, logger: logger) { address in
                    logger.info(
                        "FORLLM is ready",
                        metadata: [
                            "url": "\(address)",
                            "database": "\(configuration.databasePath)",
                            "config_file": "\(configuration.configFile ?? "none")"
                        ]
                    )
                }
            } catch let error as ConfigurationError {
                // What only start-up can find (TLS files, unsafe exposure): exit 78 as for any
                // bad configuration.
                printError(error.description)
                throw ExitCode(78)
            }
        }
        do {
            try await assembly.run()
        } catch {
            printError(describe(error))
            throw ExitCode(1)
        }
    }
}

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every backend's models and whether it answers.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "JSON for scripts.") var json = false

    func run() async throws {
        let admin = try await self.global.admin()
        output(try await FORLLMCLI.run { try await admin.listModels(json: self.json) })
    }
}
