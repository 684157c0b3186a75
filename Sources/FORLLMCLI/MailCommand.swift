import ArgumentParser
import FORLLMApp
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Deliver the groups to Maildirs, for mail readers (mutt, notmuch, Dovecot).",
        discussion: """
            With mail.maildir set, the server writes every article of the delivered groups \
            (mail.groups) to <maildir>/<group>/new/ (or <maildir>/.<group>/ with layout \
            maildir++) as it is stored. `mail sync` delivers what was there before.
            """,
        subcommands: [Sync.self, Status.self]
    )

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the Maildirs up to date: deliver every stored article not delivered yet.",
            discussion: """
                Safe to run again, and beside a running server: nothing is delivered twice.

                Example:
                  forllm mail sync --group 'forllm.*'
                """
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only the delivered groups matching this wildmat.", valueName: "wildmat"))
        var group: String?
        @Flag(help: "A JSON summary for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            let logger = MailCommand.logger(admin.configuration)
            let bar = isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil
            let summary = try await MailCommand.run {
                try await admin.mailSync(groups: self.group, json: self.json, logger: logger) { progress in
                    bar?.show(done: progress.done, total: progress.total)
                }
            }
            bar?.finish()
            output(summary)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show per group what is delivered, what is pending, and the last error."
        )
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await MailCommand.run { try await admin.mailStatus(json: self.json) })
        }
    }

    /// Runs a command body; mail being off is a configuration error (exit 78).
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ConfigurationError {
            printError(error.description)
            throw ExitCode(78)
        } catch let error as ExitCode {
            throw error
        } catch {
            printError(describe(error))
            throw ExitCode(1)
        }
    }

    /// Warnings (failed deliveries) on standard error, at the configured level.
    static func logger(_ configuration: FORLLMConfiguration) -> Logger {
        let level = configuration.logLevel
        var logger = Logger(label: "forllm") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        logger.logLevel = level
        return logger
    }
}

/// `[#########...........]  4120/10000` on standard error, redrawn in place.
final class ProgressBar: Sendable {
    func show(done: Int, total: Int) {
        let width = 30
        let filled = total > 0 ? min(width, done * width / total) : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
