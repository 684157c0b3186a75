import FORLLMApp
import FORLLMTestSupport
import Foundation
import Testing

/// conf/forllm.yaml and the README's table of keys are made from the key table
/// (`forllm config defaults`, `forllm config keys`): any difference in a name, a type or a
/// default fails here.
@Suite("Configuration docs", .endToEnd)
struct ConfigurationDocsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The README's table: the lines after the marker comment, up to the next empty line.
    static func readmeTable() throws -> String {
        let readme = try String(
            contentsOf: Self.repository.appendingPathComponent("README.md"),
            encoding: .utf8
        )
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        let marker = try #require(lines.firstIndex { $0.hasPrefix("<!-- forllm config keys") })
        let table = lines[(marker + 1)...].drop { $0.isEmpty }.prefix { !$0.isEmpty }
        return table.joined(separator: "\n") + "\n"
    }

    /// The first line where `text` is not `expected`, both shown; `nil` when they are equal.
    static func firstDifference(_ text: String, _ expected: String) -> String? {
        guard text != expected else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let wanted = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let index = zip(lines, wanted).prefix { $0 == $1 }.count
        let found = index < lines.count ? "'\(lines[index])'" : "the end"
        let instead = index < wanted.count ? "'\(wanted[index])'" : "the end"
        return "line \(index + 1) is \(found), the key table says \(instead)"
    }

    @Test("conf/forllm.yaml is the key table's file (swift run forllm config defaults > conf/forllm.yaml)")
    func yamlFile() throws {
        let text = try String(
            contentsOf: Self.repository.appendingPathComponent("conf/forllm.yaml"),
            encoding: .utf8
        )
        if let difference = Self.firstDifference(text, FORLLMConfiguration.defaultsFile()) {
            Issue.record("conf/forllm.yaml differs from `forllm config defaults`: \(difference)")
        }
    }

    @Test("the README's configuration table is the key table (swift run forllm config keys)")
    func readme() throws {
        if let difference = Self.firstDifference(try Self.readmeTable(), FORLLMConfiguration.keyTable()) {
            Issue.record("README.md's table of keys differs from `forllm config keys`: \(difference)")
        }
    }

    @Test("the key table's file, read back, is the defaults; so is no file at all")
    func roundTrip() throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let path = directory.path + "/forllm.yaml"
        try FORLLMConfiguration.defaultsFile().write(toFile: path, atomically: true, encoding: .utf8)
        let sources = ConfigurationSources(
            configPath: path,
            environment: [:],
            defaultConfigPath: ConfigurationTests.nowhere
        )
        var loaded = try FORLLMConfiguration.load(sources)
        loaded.configFile = nil
        #expect(loaded == FORLLMConfiguration())
        #expect(try ConfigurationTests.load() == FORLLMConfiguration())
    }

    @Test("forllm config defaults and forllm config keys print the file and the table")
    func commands() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let defaults = try await ForLLMProcess.run(["config", "defaults"], in: directory)
        #expect(defaults.status == 0)
        #expect(defaults.stdout == FORLLMConfiguration.defaultsFile())
        let keys = try await ForLLMProcess.run(["config", "keys"], in: directory)
        #expect(keys.status == 0)
        #expect(keys.stdout == FORLLMConfiguration.keyTable())
        // Neither needs nor creates a database.
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/forllm_data.db"))
    }
}
