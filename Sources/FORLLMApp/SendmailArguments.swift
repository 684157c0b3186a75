/// The command line of `forllm sendmail`, read the way sendmail(8) reads it, so that mail
/// clients can call it as they call sendmail: `mutt` runs `forllm sendmail -oi -- a@b`, git
/// send-email `forllm sendmail -i -f me@x a@b`, aerc `forllm sendmail a@b`.
///
/// ```
/// forllm sendmail [-t] [-i] [-oi] [-f FROM] [-F NAME] [--config P] [--database P] [--] [RECIPIENT ...]
/// ```
/// Accepted and ignored, as mail clients pass them: `-bm`, `-em`/`-ee`/`-eq`/`-ep`/`-ew`,
/// every other `-o...` option (`-oem`, `-odb`, `-oQ...`), `-v`, `-U`, `-G`, `-n`, `-m`, `-Am`,
/// `-Ac`, and `-B`, `-N`, `-R`, `-V`, `-L`, `-h`, `-X`, `-C`, `-O` with their value (attached
/// or as the next argument). Other `-b` modes (`-bs`, `-bp`, `-bd`, ...) are refused, as is
/// any unknown option.
public struct SendmailArguments: Hashable, Sendable {
    /// `-t`: recipients also from the message's `To`, `Cc` and `Bcc` (Postfix's rule: added to
    /// those on the command line).
    public var recipientsFromHeaders = false
    /// `-i` or `-oi`: a line with a lone `.` does not end the message.
    public var ignoreDots = false
    /// `-f FROM` (or `-r FROM`): the envelope sender; the author when the message has no `From`.
    public var sender: String?
    /// `-F NAME`: the sender's full name, used with `sender` for a missing `From`.
    public var fullName: String?
    /// Recipient arguments, in order.
    public var recipients: [String] = []
    /// `--config`, `--database`, `--log-level`, as every subcommand takes them.
    public var config: String?
    public var database: String?
    public var logLevel: String?

    public init() {}

    /// Options that take a value and are ignored.
    private static let ignoredWithValue: Set<Character> = ["B", "N", "R", "V", "L", "h", "X", "C", "O"]
    /// Options without a value that are ignored.
    private static let ignoredFlags: Set<String> = [
        "-bm", "-em", "-ee", "-eq", "-ep", "-ew", "-v", "-U", "-G", "-n", "-m", "-Am", "-Ac", "-s"
    ]

    /// Parses the arguments after `sendmail`. Throws ``SendmailUsageError`` with one line.
    public static func parse(_ arguments: [String]) throws(SendmailUsageError) -> SendmailArguments {
        var parsed = SendmailArguments()
        var index = 0
        var optionsEnded = false
        func value(of argument: String, attachedAfter length: Int) throws(SendmailUsageError) -> String {
            if argument.count > length { return String(argument.dropFirst(length)) }
            index += 1
            guard index < arguments.count else {
                throw SendmailUsageError(message: "option \(argument) needs a value")
            }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            defer { index += 1 }
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                parsed.recipients.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            if argument.hasPrefix("--") {
                let (name, inline) = Self.splitLong(argument)
                let text: String
                if let inline {
                    text = inline
                } else {
                    index += 1
                    guard index < arguments.count else {
                        throw SendmailUsageError(message: "option \(name) needs a value")
                    }
                    text = arguments[index]
                }
                switch name {
                case "--config": parsed.config = text
                case "--database": parsed.database = text
                case "--log-level": parsed.logLevel = text
                default: throw SendmailUsageError(message: "unknown option \(name)")
                }
                continue
            }
            switch argument {
            case "-t": parsed.recipientsFromHeaders = true
            case "-i", "-oi": parsed.ignoreDots = true
            case _ where Self.ignoredFlags.contains(argument): break
            case _ where argument.hasPrefix("-f"): parsed.sender = try value(of: argument, attachedAfter: 2)
            case _ where argument.hasPrefix("-r"): parsed.sender = try value(of: argument, attachedAfter: 2)
            case _ where argument.hasPrefix("-F"): parsed.fullName = try value(of: argument, attachedAfter: 2)
            case _ where argument.hasPrefix("-o"): break
            case _ where argument.hasPrefix("-b"):
                throw SendmailUsageError(
                    message: "\(argument) is not supported: forllm sendmail only delivers a message (-bm)"
                )
            case _ where Self.ignoredWithValue.contains(argument.dropFirst().first ?? " "):
                _ = try value(of: argument, attachedAfter: 2)
            default:
                throw SendmailUsageError(message: "unknown option \(argument)")
            }
        }
        return parsed
    }

    /// `--name=value` → (`--name`, `value`); `--name` → (`--name`, nil).
    private static func splitLong(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}

/// A `forllm sendmail` command line that cannot be used (exit status 64, EX_USAGE).
public struct SendmailUsageError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }
}
