import Foundation
import Maildir
import NNTPCore

extension ConfigurationValueType where Value == String {
    /// A directory: not empty; a leading `~` or `~/` is the home directory (`$HOME`).
    static var directory: Self {
        Self(
            name: "directory",
            parse: { text, key throws(ConfigurationError) in
                guard !text.isEmpty else { throw ConfigurationError(key: key, problem: "must name a directory") }
                guard text == "~" || text.hasPrefix("~/") else { return text }
                let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
                guard !home.isEmpty else {
                    throw ConfigurationError(key: key, problem: "'\(text)' starts with ~ but HOME is not set")
                }
                return home + text.dropFirst()
            },
            format: { $0 }
        )
    }

    /// A wildmat (RFC 3977 §4): `*`, `forllm.*,!forllm.personas`.
    static var wildmat: Self {
        Self(
            name: "wildmat",
            parse: { text, key throws(ConfigurationError) in
                do throws(NNTPParserError) {
                    _ = try Wildmat(text)
                } catch {
                    throw ConfigurationError(key: key, problem: "'\(text)' is not a wildmat: \(error.hint)")
                }
                return text
            },
            format: { $0 }
        )
    }
}

extension ConfigurationValueType where Value == MaildirLayout {
    /// `plain` or `maildir++`.
    static var maildirLayout: Self { .choice(of: "Maildir layout") }
}
