import ArgumentParser

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the news server and the LLM worker.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to listen on, HOST:PORT (default 127.0.0.1:1119).") var listen: String?
    func run() async throws {}
}


struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every backend's models.")
}
