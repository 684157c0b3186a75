import Foundation

/// A JSON value, for reading the bodies a stub server received and for writing its answers.
///
/// ```swift
/// let request = try #require(await stub.waitForChatRequests(count: 1).first)
/// #expect(request.json?["options"]?["num_ctx"]?.intValue == 4096)
/// #expect(request.json?["messages"]?[0]?["role"] == "system")
/// ```
public enum LLMStubJSON: Hashable, Sendable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([LLMStubJSON])
    case object([String: LLMStubJSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([LLMStubJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: LLMStubJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null:
            try container.encodeNil()
        case .bool(let value):
            try container.encode(value)
        case .number(let value):
            if let integer = Int64(exactly: value) {
                try container.encode(integer)
            } else {
                try container.encode(value)
            }
        case .string(let value):
            try container.encode(value)
        case .array(let value):
            try container.encode(value)
        case .object(let value):
            try container.encode(value)
        }
    }

    /// Parses `text`; `nil` when it is not JSON.
    public static func parse(_ text: String) -> LLMStubJSON? {
        try? JSONDecoder().decode(LLMStubJSON.self, from: Data(text.utf8))
    }

    /// The value as compact JSON text (keys sorted).
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    public var description: String { self.jsonText }

    /// The member `key` of an object; `nil` for other values or a missing key.
    public subscript(key: String) -> LLMStubJSON? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index` of an array; `nil` for other values or out of range.
    public subscript(index: Int) -> LLMStubJSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The number when it is integral.
    public var intValue: Int? {
        guard case .number(let value) = self else { return nil }
        return Int(exactly: value)
    }

    public var doubleValue: Double? {
        guard case .number(let value) = self else { return nil }
        return value
    }

    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    public var arrayValue: [LLMStubJSON]? {
        guard case .array(let value) = self else { return nil }
        return value
    }

    public var objectValue: [String: LLMStubJSON]? {
        guard case .object(let value) = self else { return nil }
        return value
    }
}

extension LLMStubJSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: LLMStubJSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, LLMStubJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
