import FORLLMForum
import FORLLMStore
import Foundation
import MailFormat
import NewsArticle

/// `forllm sendmail`: one mail message from standard input, posted through the forum's front
/// door, with sendmail's exit statuses so that mail clients report the outcome.
public enum Sendmail {
    /// sysexits.h statuses, as PRODUCT.md fixes them for `forllm sendmail`.
    public enum Status {
        public static let stored: Int32 = 0
        /// EX_USAGE: the command line cannot be used, or no recipient at all.
        public static let usage: Int32 = 64
        /// EX_DATAERR: the message is no valid article (or breaks a forum rule).
        public static let dataError: Int32 = 65
        /// EX_NOUSER: an address is no group or persona.
        public static let noUser: Int32 = 67
        /// EX_TEMPFAIL: the store is busy or cannot be opened; try again later.
        public static let temporaryFailure: Int32 = 75
        /// EX_CONFIG: the configuration is invalid.
        public static let configuration: Int32 = 78
    }

    /// What became of a message: the exit status, and the one line for standard error.
    public struct Outcome: Hashable, Sendable {
        public var status: Int32
        public var message: String?
    }

    /// The message sendmail reads from `input`: without `-i`/`-oi`, it ends before the first
    /// line holding only `.` (LF or CRLF); with them, `input` is the message.
    public static func message(from input: [UInt8], ignoreDots: Bool) -> [UInt8] {
        if ignoreDots { return input }
        var lineStart = 0
        while lineStart < input.count {
            let newline = input[lineStart...].firstIndex(of: 10)
            let lineEnd = newline ?? input.count
            let line = input[lineStart..<lineEnd]
            if line.elementsEqual([46]) || line.elementsEqual([46, 13]) {
                return Array(input[..<lineStart])
            }
            lineStart = lineEnd + 1
        }
        return input
    }

    /// Delivers `input` (standard input as read) per `arguments`: the recipients of the command
    /// line (each may be a comma-separated list) and, with `-t`, of `To`, `Cc` and `Bcc`.
    public static func deliver(
        _ input: [UInt8],
        arguments: SendmailArguments,
        configuration: FORLLMConfiguration
    ) async -> Outcome {
        let message = Self.message(from: input, ignoreDots: arguments.ignoreDots)
        var recipients: [String] = []
        for argument in arguments.recipients {
            let mailboxes = Mailbox.addressList(parsing: argument)
            recipients += mailboxes.isEmpty ? [argument] : mailboxes.map(\.address)
        }
        if arguments.recipientsFromHeaders {
            do {
                let mail = try MailConversion.parsedMail(message)
                for name in ["To", "Cc", "Bcc"] {
                    for value in mail.values(named: name) {
                        recipients += Mailbox.addressList(parsing: value).map(\.address)
                    }
                }
            } catch {
                return Outcome(status: Status.dataError, message: "the message is not valid: \(error.message)")
            }
        }
        var sender = arguments.sender
        if let address = sender, let name = arguments.fullName, !name.isEmpty,
            let mailbox = try? Mailbox(parsing: address)
        {
            sender = Mailbox(displayName: name, address: mailbox.address).headerValue
        }

        if let problem = Admin.missingDatabase(configuration.databasePath) {
            return Outcome(status: Status.temporaryFailure, message: problem)
        }
        let forum: Forum
        do {
            forum = try await Forum.open(
                path: configuration.databasePath,
                configuration: configuration.forumConfiguration
            )
        } catch {
            return Outcome(status: Status.temporaryFailure, message: "\(error)")
        }
        let outcome: Outcome
        do {
            _ = try await forum.submitMail(message, recipients: recipients, envelopeSender: sender)
            outcome = Outcome(status: Status.stored, message: nil)
        } catch let error as MailSubmissionError {
            outcome = Outcome(status: Self.status(of: error.code), message: error.message)
        } catch {
            outcome = Outcome(status: Status.temporaryFailure, message: "\(error)")
        }
        try? await forum.close()
        return outcome
    }

    /// The exit status of a refusal.
    static func status(of code: MailSubmissionError.Code) -> Int32 {
        switch code {
        case .invalidArticle: Status.dataError
        case .unknownAddress: Status.noUser
        case .noRecipients: Status.usage
        default: Status.temporaryFailure
        }
    }
}
