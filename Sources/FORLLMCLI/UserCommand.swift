import ArgumentParser
import FORLLMApp
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list and remove the readers who log in, and change their passwords.",
        discussion: """
            Once a user exists, readers log in (AUTHINFO USER/PASS) from the next start of \
            forllm serve, and a user posts only with the addresses listed for them. The password \
            is asked on the terminal, or read from FORLLM_USER_PASSWORD when that is set; it is \
            never an argument. It is stored as a salted scrypt hash (N=2^15, r=8, p=1).
            """,
        subcommands: [Add.self, List.self, Remove.self, Passwd.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user.",
            usage: "forllm user add NAME --from ADDRESS [--from ADDRESS ...]"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The login name: letters, digits, '.', '_', '-', '@', '+'.") var name: String
        @Option(name: .customLong("from"), help: "An address the user posts with (repeat for more).")
        var addresses: [String] = []

        func run() async throws {
            let admin = try await self.global.admin()
            let password = try readNewPassword(for: self.name)
            output(
                try await FORLLMCLI.run {
                    try await admin.addUser(name: self.name, addresses: self.addresses, password: password)
                }
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users and their addresses.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.listUsers(json: self.json) })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user (their articles stay).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's name.") var name: String

        func run() async throws {
            let admin = try await self.global.admin()
            output(try await FORLLMCLI.run { try await admin.removeUser(name: self.name) })
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a new password for a user.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's name.") var name: String

        func run() async throws {
            let admin = try await self.global.admin()
            let password = try readNewPassword(for: self.name)
            output(try await FORLLMCLI.run { try await admin.changePassword(name: self.name, password: password) })
        }
    }
}

/// The new password: `FORLLM_USER_PASSWORD` when set, else asked twice on the terminal with
/// echo off. Exits 1 with a line saying what to do when there is neither.
private func readNewPassword(for name: String) throws -> String {
    if let password = ProcessInfo.processInfo.environment["FORLLM_USER_PASSWORD"] {
        return password
    }
    guard isatty(STDIN_FILENO) == 1 else {
        printError("no terminal to ask the password on: set FORLLM_USER_PASSWORD (it is never an argument)")
        throw ExitCode(1)
    }
    let first = try readHidden(prompt: "Password for \(name): ")
    let second = try readHidden(prompt: "Again: ")
    guard first == second else {
        printError("the two passwords differ; nothing changed")
        throw ExitCode(1)
    }
    return first
}

/// One line from the terminal with echo off.
private func readHidden(prompt: String) throws -> String {
    FileHandle.standardError.write(Data(prompt.utf8))
    var saved = termios()
    let hasTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
    if hasTerminal {
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
    }
    defer {
        if hasTerminal { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
        FileHandle.standardError.write(Data("\n".utf8))
    }
    guard let line = readLine(strippingNewline: true) else {
        throw ExitCode(1)
    }
    return line
}
