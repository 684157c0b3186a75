/// One key of FORLLM's configuration: its name, the kind of value, its default, a line of help,
/// and where the value goes. ``ConfigurationKeys`` lists them all.
///
/// `Root` is what the key fills: ``FORLLMConfiguration`` for the keys of the file, or
/// `LLMBackendConfiguration` for the keys of one `backends:` entry.
struct ConfigurationKey<Root>: Sendable {
    /// A value being stored: its text, the key as a person writes it, and the environment's
    /// secrets.
    struct Input {
        /// The value, trimmed of spaces.
        var text: String
        /// `server.listen`, `backends[1].url`: what an error names.
        var key: String
        /// Reads an environment variable as a secret (never logged).
        var secret: (String) -> String?
    }

    /// Dotted as in conf/forllm.yaml: `server.listen`; inside a `backends:` entry: `url`.
    let name: String
    /// The README's type column.
    let type: String
    /// One line: the README's meaning column and the first comment line in conf/forllm.yaml.
    let help: String
    /// Further comment lines in conf/forllm.yaml.
    let details: [String]
    /// The value as conf/forllm.yaml writes it, read from a `Root` that holds the defaults;
    /// `nil` when the key is unset by default.
    let value: @Sendable (Root) -> String?
    /// What the README says when ``value`` is `nil`: `none`, `no limit`.
    let unset: String
    /// The value conf/forllm.yaml shows commented out when the key is unset by default.
    let example: String?
    /// The key whose value this one takes by default (`llm.keep_alive` for a backend's
    /// `keep_alive`): the README names it, conf/forllm.yaml shows the key commented out.
    let inherits: String?
    /// Converts and stores a value.
    let apply: @Sendable (inout Root, Input) throws(ConfigurationError) -> Void

    /// A key with its own conversion: when it fills more than one property, or reads a secret.
    init(
        _ name: String,
        type: String,
        help: String,
        details: [String] = [],
        value: @escaping @Sendable (Root) -> String?,
        unset: String = "none",
        example: String? = nil,
        apply: @escaping @Sendable (inout Root, Input) throws(ConfigurationError) -> Void
    ) {
        self.name = name
        self.type = type
        self.help = help
        self.details = details
        self.value = value
        self.unset = unset
        self.example = example
        self.inherits = nil
        self.apply = apply
    }

    /// A key stored at `keyPath`; its default is what a default `Root` holds there.
    init<Value>(
        _ name: String,
        _ type: ConfigurationValueType<Value>,
        _ keyPath: any WritableKeyPath<Root, Value> & Sendable,
        help: String,
        details: [String] = []
    ) {
        self.name = name
        self.type = type.name
        self.help = help
        self.details = details
        self.value = { type.format($0[keyPath: keyPath]) }
        self.unset = "none"
        self.example = nil
        self.inherits = nil
        self.apply = { root, input throws(ConfigurationError) in
            root[keyPath: keyPath] = try type.parse(input.text, input.key)
        }
    }

    /// A key stored at an optional `keyPath`: unset by default (README: `unset`, conf/forllm.yaml:
    /// `example` commented out), or taking another key's value (`inherits`).
    init<Value>(
        _ name: String,
        _ type: ConfigurationValueType<Value>,
        _ keyPath: any WritableKeyPath<Root, Value?> & Sendable,
        unset: String = "none",
        example: String? = nil,
        inherits: String? = nil,
        help: String,
        details: [String] = []
    ) {
        self.name = name
        self.type = type.name
        self.help = help
        self.details = details
        self.value = { $0[keyPath: keyPath].map(type.format) }
        self.unset = unset
        self.example = example
        self.inherits = inherits
        self.apply = { root, input throws(ConfigurationError) in
            root[keyPath: keyPath] = try type.parse(input.text, input.key)
        }
    }

    /// Reads the key at `path` (`backends.1.url` for an entry's `url`) and stores its value;
    /// leaves `root` alone when no source sets it.
    func read(into root: inout Root, at path: String, from values: ConfigurationValues) throws(ConfigurationError) {
        guard let text = values.string(path) else { return }
        try self.apply(&root, Input(text: text, key: ConfigFile.display(path), secret: values.secret))
    }
}
