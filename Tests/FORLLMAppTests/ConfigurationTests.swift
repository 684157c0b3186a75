import FORLLMApp
import NewsArticle
import NNTPServer
import SMTPServer
import FORLLMForum
import FORLLMWorker
import Foundation
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let nowhere = "/nonexistent/forllm.yaml"

    static func load(
        file: String? = nil,
        environment: [String: String] = [:],
        overrides: [String: String] = [:]
    )
        throws -> FORLLMConfiguration
    {
        try FORLLMConfiguration.load(
            ConfigurationSources(
                configPath: file,
                overrides: overrides,
                environment: environment,
                defaultConfigPath: Self.nowhere
            )
        )
    }

    @Test("no file: the defaults of PRODUCT.md")
    func defaults() throws {
        let configuration = try Self.load()
        #expect(configuration.nntp.host == "127.0.0.1")
        #expect(configuration.nntp.port == 1119)
        #expect(configuration.forum.hostname == "forllm.local")
        #expect(configuration.forum.postingPolicy.maximumBytes == 1_048_576)
        #expect(configuration.databasePath == "forllm_data.db")
        #expect(configuration.worker.defaultBackend == "ollama")
        #expect(configuration.worker.defaultModel == "llama3.2")
        #expect(configuration.worker.contextCharacters == 24_000)
        #expect(configuration.backends.map(\.name) == ["ollama"])
        #expect(configuration.backends.first?.type == .ollama)
        #expect(configuration.backends.first?.url == URL(string: "http://127.0.0.1:11434"))
        #expect(configuration.backends.first?.inactivityTimeout == .seconds(900))
        #expect(configuration.backends.first?.concurrency == 1)
        #expect(configuration.configFile == nil)
    }

    @Test("mail.smtp_listen: off by default; HOST:PORT turns the SMTP receiver on, with the news server's limits")
    func smtpListen() throws {
        #expect(try Self.load().smtpServerConfiguration == nil)
        let configuration = try Self.load(
            environment: [
                "FORLLM_MAIL_SMTP_LISTEN": "[::1]:2525", "FORLLM_SERVER_MAX_ARTICLE_BYTES": "65536",
                "FORLLM_SERVER_HOSTNAME": "forum.example", "FORLLM_SERVER_MAX_CONNECTIONS": "40"
            ]
        )
        let smtp = try #require(configuration.smtpServerConfiguration)
        #expect(smtp.host == "::1")
        #expect(smtp.port == 2525)
        #expect(smtp.hostname == "forum.example")
        #expect(smtp.maximumMessageBytes == 65536)
        #expect(smtp.maximumConnections == 40)
        let error = #expect(throws: ConfigurationError.self) {
            try Self.load(environment: ["FORLLM_MAIL_SMTP_LISTEN": "localhost"])
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("mail.smtp_listen"))
    }

    @Test("conf/forllm.yaml, the example with every key, says exactly what the defaults say")
    func exampleFile() throws {
        let path = Self.repository.appendingPathComponent("conf/forllm.yaml").path
        var fromFile = try Self.load(file: path)
        #expect(fromFile.configFile == path)
        fromFile.configFile = nil
        #expect(fromFile == (try Self.load()))
        // Every key the file knows appears in the example, at least commented out.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for key in [
            "listen", "hostname", "max_article_bytes", "max_article_age_days", "max_connections",
            "idle_timeout_seconds", "auth", "user", "password_env", "database", "log_level", "default_backend",
            "default_model", "context_chars", "max_attempts", "retry_delay_seconds", "unreachable_wait_seconds",
            "max_persona_turns",
            "poll_interval_seconds", "keep_alive", "max_context_tokens", "temperature", "max_answer_tokens", "name",
            "type", "url", "timeout_seconds", "concurrency", "api_key_env", "fallback", "fallback_after_seconds"
        ] {
            #expect(text.contains("\(key):"), "conf/forllm.yaml lacks \(key)")
        }
    }

    @Test("options beat the environment, which beats the file")
    func precedence() throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let path = directory.path + "/forllm.yaml"
        let valid = """
            server:
              listen: 127.0.0.1:2000
              hostname: news.example.org
            llm:
              default_model: from-file
              default_backend: gpu
            backends:
              - name: gpu
                url: http://10.0.0.2:11434
              - name: cpu
                type: openai
                url: http://10.0.0.3:8080/v1/
                api_key_env: CPU_KEY

            """
        // A repeated top-level key is a YAML error, not a second section.
        try (valid + "llm:\n  default_model: again\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try Self.load(file: path, environment: ["CPU_KEY": "k"]) }
        try valid.write(toFile: path, atomically: true, encoding: .utf8)
        let file = try Self.load(file: path, environment: ["CPU_KEY": "secret"])
        #expect(file.nntp.port == 2000)
        #expect(file.forum.hostname == "news.example.org")
        #expect(file.worker.defaultModel == "from-file")
        #expect(file.backends.map(\.name) == ["gpu", "cpu"])
        #expect(file.backends[1].url == URL(string: "http://10.0.0.3:8080/v1"))
        #expect(file.backends[1].apiKey == "secret")
        let environment = try Self.load(
            file: path,
            environment: [
                "CPU_KEY": "secret", "FORLLM_SERVER_LISTEN": "[::1]:3000", "FORLLM_LLM_DEFAULT_MODEL": "from-env",
                "FORLLM_BACKENDS_1_CONCURRENCY": "3"
            ]
        )
        #expect(environment.nntp.host == "::1")
        #expect(environment.nntp.port == 3000)
        #expect(environment.worker.defaultModel == "from-env")
        #expect(environment.backends[1].concurrency == 3)
        let options = try Self.load(
            file: path,
            environment: ["CPU_KEY": "secret", "FORLLM_SERVER_LISTEN": "[::1]:3000"],
            overrides: ["server.listen": "0.0.0.0:4000"]
        )
        #expect(options.nntp.host == "0.0.0.0")
        #expect(options.nntp.port == 4000)
        // FORLLM_CONFIG names the file when --config does not.
        #expect(try Self.load(environment: ["FORLLM_CONFIG": path, "CPU_KEY": "k"]).nntp.port == 2000)
    }
}
