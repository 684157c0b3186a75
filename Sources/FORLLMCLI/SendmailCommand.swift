import ArgumentParser
import FORLLMApp
import Foundation

struct SendmailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sendmail",
        abstract: "Post a mail message from standard input, as sendmail does (for mutt, aerc, git send-email).",
        usage: "forllm sendmail [-t] [-i] [-oi] [-f FROM] [--config P] [--database P] [--] [RECIPIENT ...]",
        discussion: """
            Recipients: GROUP@HOSTNAME posts to that group; HANDLE@personas.HOSTNAME asks that \
            persona (in the thread replied to); a Newsgroups header is honoured too. -t adds \
            the recipients of To, Cc and Bcc. Without -i/-oi a line with a lone dot ends the \
            message. Other sendmail options mail clients pass (-oem, -odb, -B 8BITMIME, ...) are \
            accepted and ignored.

            Exit status: 0 stored, 64 bad usage or no recipient, 65 not a valid article, \
            67 an address that is no group or persona, 75 the store is busy or unavailable \
            (try again), 78 bad configuration; one line on standard error says why.

            mutt/neomutt: set sendmail="forllm sendmail"
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "sendmail options and recipients")
    var arguments: [String] = []

    func run() async throws {
        let options = self.arguments.prefix { $0 != "--" }
        if options.contains("--help") { throw CleanExit.helpRequest(self) }
        let arguments: SendmailArguments
        do {
            arguments = try SendmailArguments.parse(self.arguments)
        } catch {
            printError("sendmail: \(error.message)")
            throw ExitCode(Sendmail.Status.usage)
        }
        var global: [String] = []
        if let config = arguments.config { global += ["--config", config] }
        if let database = arguments.database { global += ["--database", database] }
        if let logLevel = arguments.logLevel { global += ["--log-level", logLevel] }
        let configuration = try GlobalOptions.parse(global).load()
        let input = await Post.readStandardInput()
        let outcome = await Sendmail.deliver([UInt8](input), arguments: arguments, configuration: configuration)
        if let message = outcome.message { printError("sendmail: \(message)") }
        if outcome.status != Sendmail.Status.stored { throw ExitCode(outcome.status) }
    }
}
