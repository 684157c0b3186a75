import FORLLMForum
import FORLLMWorker
import Maildir
import NNTPServer
import NewsArticle
import Foundation
import SMTPServer

/// Every configuration key, in one table: the loader reads these and no others, the check for
/// unknown keys allows these and no others, and conf/forllm.yaml and the README's table are
/// rendered from it (`forllm config defaults`, `forllm config keys`; ConfigurationDocsTests
/// fails when they differ).
///
/// ## Defaults
/// Each default is written once, in the `init` of the configuration value of the module that
/// uses it: `NNTPServerConfiguration`, `WorkerConfiguration`, `LLMBackendConfiguration`, the
/// forum's `ForumConfiguration` (STYLE.md §6). ``FORLLMConfiguration`` starts from those
/// (see `FORLLMConfiguration+Modules.swift`) and this table reads its defaults from a default
/// ``FORLLMConfiguration``. Only the keys no module has (`database`, `log_level`,
/// `server.auth.*`) have their default in ``FORLLMConfiguration`` itself.
///
/// ## A new key
/// One row below, whose key path names the module's own property (``FORLLMConfiguration``
/// holds the modules' configuration values themselves: `nntp`, `forum`, `worker`), then the
/// docs:
/// `swift run forllm config defaults > conf/forllm.yaml`, and `forllm config keys` in the
/// README's configuration section.
enum ConfigurationKeys {
    /// The keys of the file, in the order conf/forllm.yaml and the README list them.
    static let settings: [ConfigurationKey<FORLLMConfiguration>] = [
        ConfigurationKey(
            "server.listen",
            type: "`HOST:PORT`",
            help: "NNTP address, `HOST:PORT` (`[::1]:1119` for IPv6)",
            details: ["0.0.0.0:1119 listens on every interface: then add users first (forllm user add)."],
            value: { configuration in
                let host = configuration.nntp.host
                return "\(host.contains(":") ? "[\(host)]" : host):\(configuration.nntp.port)"
            },
            apply: { configuration, input throws(ConfigurationError) in
                (configuration.nntp.host, configuration.nntp.port) = try FORLLMConfiguration.parseListen(
                    input.text,
                    key: input.key
                )
            }
        ),
        ConfigurationKey(
            "server.hostname",
            .hostname,
            \.forum.hostname,
            help: "in Message-ID, Path, Xref and persona addresses; needs a dot",
            details: ["tin refuses addresses without a dot (assistant@personas.forllm.local)."]
        ),
        ConfigurationKey(
            "server.max_article_bytes",
            .integer(1024...(64 << 20)),
            \.forum.postingPolicy.maximumBytes,
            help: "largest article accepted, in bytes"
        ),
        ConfigurationKey(
            "server.max_article_age_days",
            .days(1...36500),
            \.forum.postingPolicy.maximumAge,
            help: "a posted `Date` older than this is refused",
            details: ["It is answered 441, and so is one more than a day in the future."]
        ),
        ConfigurationKey(
            "server.max_connections",
            .integer(1...1_000_000),
            \.nntp.maximumConnections,
            help: "readers at once; the next gets `400`"
        ),
        ConfigurationKey(
            "server.read_cache_mb",
            .integer(0...65536),
            \.forum.readCacheMegabytes,
            help: "memory for the group table and the newest and last read articles, which the news "
                + "server then answers without reading the database (0: off)",
            details: [
                "Kept current by every commit of the server; a change by another process (the `forllm` "
                    + "CLI) shows within 50 ms."
            ]
        ),
        ConfigurationKey(
            "server.idle_timeout_seconds",
            .seconds(10...86400),
            \.nntp.idleTimeout,
            help: "idle readers are disconnected after this"
        ),
        Self.tlsCertificate,
        Self.tlsKey,
        Self.tlsListen,
        ConfigurationKey(
            "server.auth.user",
            type: ConfigurationValueType<String>.text.name,
            help:
                "one shared login (`AUTHINFO USER/PASS`); prefer `forllm user add`, which ties each user to their addresses",
            value: { $0.auth.user },
            example: "jane",
            apply: { configuration, input in
                configuration.auth.user = input.text.isEmpty ? nil : input.text
            }
        ),
        ConfigurationKey(
            "server.auth.password_env",
            .word,
            \.auth.passwordEnv,
            help: "environment variable holding the password",
            details: ["The password itself is never written in this file."]
        ),
        ConfigurationKey(
            "server.allow_insecure",
            .boolean,
            \.allowInsecure,
            help: "start even when listening beyond loopback without users and TLS",
            details: [
                "Without it, `forllm serve` refuses (exit 78) to listen on a network address unless",
                "readers log in (forllm user add) and TLS is set (server.tls), and refuses an SMTP",
                "receiver beyond loopback (it has no login). With it, it starts and logs a warning."
            ]
        ),
        ConfigurationKey(
            "database",
            .file,
            \.databasePath,
            help: "the SQLite file (WAL mode)",
            details: [
                "Created and migrated on first start; a relative path is relative to the directory",
                "forllm starts in."
            ]
        ),
        ConfigurationKey("log_level", .logLevel, \.logLevel, help: "`trace` … `critical`, to standard error"),
        ConfigurationKey(
            "llm.default_backend",
            .word,
            \.worker.defaultBackend,
            help: "backend when nothing else decides",
            details: ["Nothing else: neither the request, the group nor the persona names one."]
        ),
        ConfigurationKey(
            "llm.default_model",
            .word,
            \.worker.defaultModel,
            help: "model when nothing else decides"
        ),
        ConfigurationKey(
            "llm.context_chars",
            .integer(1000...10_000_000),
            \.worker.contextCharacters,
            help: "thread text sent to the model, in characters",
            details: [
                "Over budget, turns in the middle of the thread are dropped: the root and the turns after",
                "it (up to half the budget) stay, so the model server's prompt cache serves them again,",
                "and so do the newest turns; the article answered always stays."
            ]
        ),
        ConfigurationKey(
            "llm.max_attempts",
            .integer(1...100),
            \.worker.maximumAttempts,
            help: "attempts before a request fails for good",
            details: [
                "Then a notice is posted in the thread. Connection errors, timeouts and 5xx answers",
                "are retried; a 4xx (unknown model) is not."
            ]
        ),
        ConfigurationKey(
            "llm.queue_order",
            .queueOrder,
            \.worker.queueOrder,
            help: "`hardware`: the loaded model and cached prompt first; `fifo`: first come, first served"
        ),
        ConfigurationKey(
            "llm.queue_max_passed_over",
            .integer(1...10000),
            \.worker.queueMaximumPassedOver,
            help: "a request passed over by this many later ones runs next",
            details: [
                "The queue prefers requests for the model a backend has loaded, then for the thread",
                "whose prompt its cache holds, first come first served within; this bounds the wait."
            ]
        ),
        ConfigurationKey(
            "llm.queue_max_wait_seconds",
            .seconds(60...604_800),
            \.worker.queueMaximumWait,
            help: "a request waiting this long runs next, whatever is loaded"
        ),
        ConfigurationKey(
            "llm.retry_delay_seconds",
            .seconds(1...86400),
            \.worker.retryDelay,
            help: "first retry delay; doubles each attempt, at most 1 h"
        ),
        ConfigurationKey(
            "llm.unreachable_wait_seconds",
            .seconds(0...31_536_000),
            \.worker.unreachableWait,
            help: "how long requests wait for a backend that cannot be reached",
            details: [
                "Ollama not started yet, the GPU box switched off: such tries cost no attempts. The",
                "requests wait, tried again every few minutes, with the reason in `forllm queue list`."
            ]
        ),
        ConfigurationKey(
            "llm.max_persona_turns",
            .integer(0...100),
            \.forum.maximumPersonaTurns,
            help: "persona-to-persona answers per thread",
            details: [
                "A persona's answer mentioning another persona, or a chained tag @a:@b; 0 turns",
                "chains off, so that personas cannot talk forever."
            ]
        ),
        Self.maximumPersonaTurnsPerDay,
        Self.maximumPersonaDepth,
        ConfigurationKey(
            "llm.poll_interval_seconds",
            .fractionalSeconds(0.05...3600),
            \.worker.pollInterval,
            help: "queue polling for work queued by the CLI",
            details: ["Posts to this server wake the worker at once."]
        ),
        ConfigurationKey(
            "llm.keep_alive",
            .word,
            \.backendDefaults.keepAlive,
            help: "Ollama `keep_alive`",
            details: ["How long the model stays loaded after an answer."]
        ),
        ConfigurationKey(
            "llm.max_context_tokens",
            .integer(512...10_000_000),
            \.backendDefaults.maximumContextLength,
            help: "cap for Ollama's `num_ctx`",
            details: [
                "The model's own context length (from /api/show) is used up to this cap, and kept",
                "fixed so that Ollama does not reload the model."
            ]
        ),
        ConfigurationKey(
            "llm.temperature",
            .number(0...2),
            \.worker.temperature,
            unset: "model's",
            example: "0.7",
            help: "sampling temperature"
        ),
        ConfigurationKey(
            "llm.max_answer_tokens",
            .integer(16...1_000_000),
            \.worker.maximumAnswerTokens,
            help: "longest answer, in tokens",
            details: [
                "Sent to the server (Ollama `num_predict`, OpenAI `max_tokens`) and enforced by FORLLM as",
                "the answer streams, so a model that never stops is stopped; an answer is also never",
                "larger than `server.max_article_bytes`. A cut answer is marked `X-FORLLM-Truncated`."
            ]
        ),
        ConfigurationKey(
            "llm.stop_repetition",
            .boolean,
            \.worker.stopsRepetition,
            help: "stop a generation caught in a repetition loop",
            details: [
                "A passage repeated 8 times or more over at least 1 KB ends the generation; the answer",
                "keeps one copy and says `X-FORLLM-Truncated: repetition`. Tables, lists and code with",
                "repeated lines stay far below that."
            ]
        ),
        Self.visionModels,
        ConfigurationKey(
            "mail.maildir",
            .directory,
            \.mailDelivery.maildir,
            unset: "off",
            example: "~/Mail/forllm",
            help: "deliver articles to Maildirs under this directory",
            details: [
                "Every article stored in a delivered group (posts, answers, notices) is written to",
                "its group's Maildir, exactly once; withdrawn articles are removed again."
            ]
        ),
        ConfigurationKey(
            "mail.layout",
            .maildirLayout,
            \.mailDelivery.layout,
            help: "`plain`: DIR/GROUP/; `maildir++`: DIR/.GROUP/",
            details: ["maildir++ is what Dovecot and Courier serve (DIR is then the INBOX)."]
        ),
        ConfigurationKey(
            "mail.smtp_listen",
            type: "`HOST:PORT`",
            help: "SMTP submission for mail clients that cannot run `forllm sendmail`",
            details: [
                "Thunderbird's or a phone's outgoing server: mail to GROUP@HOSTNAME posts, to",
                "HANDLE@personas.HOSTNAME asks a persona. Like server.listen, keep it on loopback",
                "unless you know who can reach it."
            ],
            value: { configuration in
                configuration.smtp.map { smtp in
                    "\(smtp.host.contains(":") ? "[\(smtp.host)]" : smtp.host):\(smtp.port)"
                }
            },
            unset: "off",
            example: "127.0.0.1:2525",
            apply: { configuration, input throws(ConfigurationError) in
                let (host, port) = try FORLLMConfiguration.parseListen(input.text, key: input.key)
                var smtp = configuration.smtp ?? SMTPServerConfiguration()
                smtp.host = host
                smtp.port = port
                configuration.smtp = smtp
            }
        ),
        ConfigurationKey(
            "mail.groups",
            .wildmat,
            \.mailDelivery.groups,
            help: "wildmat of the groups delivered",
            details: [
                "Like forllm.*,!forllm.personas; `forllm mail sync` delivers what was there before.",
                "The default leaves out forllm.status, whose articles are replaced as requests move."
            ]
        )
    ]

    /// The list of LLM servers; each entry is a mapping of ``backendEntry`` keys.
    static let backends = "backends"

    /// The keys of one `backends:` entry, in order: `type` before `url`, whose default depends
    /// on it.
    static let backendEntry: [ConfigurationKey<LLMBackendConfiguration>] = [
        ConfigurationKey(
            "name",
            .word,
            \.name,
            help: "used in `backend=` and `forllm models`",
            details: ["Only the first backend has a default name."]
        ),
        ConfigurationKey(
            "type",
            type: ConfigurationValueType.backendType.name,
            help: "the wire format",
            details: ["openai: LM Studio, llama.cpp server, vLLM, Ollama's /v1, ..."],
            value: { ConfigurationValueType.backendType.format($0.type) },
            apply: { backend, input throws(ConfigurationError) in
                // The URL's default depends on the type; an explicit `url` (the next key) wins.
                backend.type = try ConfigurationValueType.backendType.parse(input.text, input.key)
                backend.url = LLMBackendConfiguration.defaultURL(for: backend.type)
            }
        ),
        ConfigurationKey(
            "url",
            .url,
            \.url,
            help: "base URL (`…/v1` for `openai`)",
            details: ["For type openai the default is http://127.0.0.1:8080/v1 (llama.cpp server)."]
        ),
        ConfigurationKey(
            "timeout_seconds",
            .seconds(1...86400),
            \.inactivityTimeout,
            help: "longest silence while generating",
            details: [
                "Not a limit on the whole answer: a big model may take minutes to load before its",
                "first token."
            ]
        ),
        ConfigurationKey(
            "concurrency",
            .integer(1...64),
            \.concurrency,
            help: "requests at once on this backend"
        ),
        ConfigurationKey(
            "api_key_env",
            type: ConfigurationValueType<String>.word.name,
            help: "environment variable holding the API key",
            details: ["Leave it out when the server needs no key (Ollama, llama.cpp, LM Studio)."],
            value: { _ in nil },
            example: "LLM_API_KEY",
            apply: { backend, input throws(ConfigurationError) in
                let variable = try ConfigurationValueType<String>.word.parse(input.text, input.key)
                guard let key = input.secret(variable), !key.isEmpty else {
                    throw ConfigurationError(
                        key: input.key,
                        problem: "the environment variable \(variable) is empty or unset"
                    )
                }
                backend.apiKey = key
            }
        ),
        ConfigurationKey(
            "fallback",
            .word,
            \.fallback,
            example: "cpu-box",
            help: "backend used while this one is unreachable"
        ),
        ConfigurationKey(
            "fallback_after_seconds",
            .seconds(0...86400),
            \.fallbackAfter,
            help: "how long it must be unreachable first"
        ),
        ConfigurationKey(
            "keep_alive",
            .word,
            \.keepAlive,
            inherits: "llm.keep_alive",
            help: "this backend's Ollama `keep_alive`"
        ),
        ConfigurationKey(
            "max_context_tokens",
            .integer(512...10_000_000),
            \.maximumContextLength,
            inherits: "llm.max_context_tokens",
            help: "this backend's cap for `num_ctx`"
        )
    ]

    /// Comment lines above a section in conf/forllm.yaml.
    static let sections: [String: [String]] = [
        "server": ["The news server."],
        "server.auth": ["Reader login (AUTHINFO USER/PASS, RFC 4643): off while `user` is unset."],
        "server.tls": ["TLS (PEM files): STARTTLS on the news and SMTP ports, and NNTPS on `tls_listen`."],
        "llm": ["Answers: models, thread text, retries."],
        "mail": ["The mail side: articles delivered to Maildirs, for mail readers (mutt, notmuch, Dovecot)."],
        Self.backends: [
            "The LLM servers. The first one is what runs without any configuration; further ones",
            "are further entries of the list."
        ]
    ]
}

// MARK: - Names

extension ConfigurationKeys {
    /// What a dotted path of the file names.
    enum Entry {
        /// A key of ``settings``.
        case value
        /// A mapping of keys (`server`, `server.auth`).
        case section
        /// The `backends` list.
        case list
        /// The `hooks` list (``ConfigurationKeys/hooks``).
        case hooks
    }

    /// What `path` (`server.auth`, `llm.keep_alive`) names; `nil` when nothing.
    static func entry(at path: String) -> Entry? {
        if path == Self.backends { return .list }
        if path == Self.hooks { return .hooks }
        if Self.settings.contains(where: { $0.name == path }) { return .value }
        if Self.settings.contains(where: { $0.name.hasPrefix(path + ".") }) { return .section }
        return nil
    }

    /// The names allowed directly under `path` (`""`: at the top), sorted.
    static func names(under path: String) -> [String] {
        let prefix = path.isEmpty ? "" : path + "."
        var names: Set<String> = path.isEmpty ? [Self.backends, Self.hooks] : []
        for key in Self.settings where key.name.hasPrefix(prefix) {
            names.insert(String(key.name.dropFirst(prefix.count).prefix { $0 != "." }))
        }
        return names.sorted()
    }
}
