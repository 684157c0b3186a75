import ArgumentParser
import FORLLMApp

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the configuration keys and their defaults.",
        subcommands: [Defaults.self, Keys.self]
    )

    struct Defaults: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a configuration file with every key at its default (conf/forllm.yaml).",
            discussion: """
                Start a configuration of your own from it:

                  forllm config defaults > forllm.yaml
                """
        )

        func run() {
            print(FORLLMConfiguration.defaultsFile(), terminator: "")
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the table of configuration keys: type, default and meaning of each (Markdown)."
        )

        func run() {
            print(FORLLMConfiguration.keyTable(), terminator: "")
        }
    }
}
