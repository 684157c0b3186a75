import Crypto
import CryptoExtras
import Dispatch
import Foundation

/// A password stored as scrypt hash (RFC 7914) in the PHC string format:
///
/// ```
/// $scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>
/// ```
///
/// The default cost, N = 2^15, r = 8, p = 1, is the one RFC 7914 §2 and OWASP name for
/// interactive logins: 32 MiB and about 0.1 s of one core per check, so a guesser with the
/// hash file tries a few per second and core. The salt is 16 random bytes, the hash 32. The
/// parameters are stored with each hash, so a cost raised later applies to new passwords and
/// old hashes still verify.
///
/// Hashing and checking are slow on purpose and run on a serial queue of their own, never on
/// an event loop or the cooperative pool: one core at most, whatever a guesser sends.
public struct PasswordHash: Hashable, Sendable {
    /// log2 of the scrypt cost N.
    public var logRounds: Int
    public var blockSize: Int
    public var parallelism: Int
    public var salt: [UInt8]
    public var hash: [UInt8]

    /// The cost of new hashes: N = 2^15, r = 8, p = 1.
    public static let defaultLogRounds = 15

    private static let queue = DispatchQueue(label: "forllm.password-hash", qos: .userInitiated)

    /// Hashes `password` with a new random salt.
    /// - Parameter logRounds: log2 of N; tests use a smaller one.
    public static func make(password: String, logRounds: Int = Self.defaultLogRounds) async throws -> PasswordHash {
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        let hash = try await Self.derive(password, salt: salt, logRounds: logRounds, blockSize: 8, parallelism: 1)
        return PasswordHash(logRounds: logRounds, blockSize: 8, parallelism: 1, salt: salt, hash: hash)
    }

    /// Whether `password` is the one hashed; comparing in constant time.
    public func verify(_ password: String) async -> Bool {
        guard
            let derived = try? await Self.derive(
                password,
                salt: self.salt,
                logRounds: self.logRounds,
                blockSize: self.blockSize,
                parallelism: self.parallelism
            ), derived.count == self.hash.count
        else { return false }
        return zip(derived, self.hash).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The PHC string stored in the database.
    public var encoded: String {
        "$scrypt$ln=\(self.logRounds),r=\(self.blockSize),p=\(self.parallelism)$"
            + Self.base64(self.salt) + "$" + Self.base64(self.hash)
    }

    /// Parses a PHC string made by ``encoded``; `nil` for anything else.
    public init?(encoded text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var parameters: [Substring: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let nameAndValue = pair.split(separator: "=", maxSplits: 1)
            guard nameAndValue.count == 2, let value = Int(nameAndValue[1]) else { return nil }
            parameters[nameAndValue[0]] = value
        }
        guard let logRounds = parameters["ln"], (1...30).contains(logRounds),
            let blockSize = parameters["r"], (1...64).contains(blockSize),
            let parallelism = parameters["p"], (1...16).contains(parallelism),
            let salt = Self.unbase64(parts[3]), let hash = Self.unbase64(parts[4]), !hash.isEmpty
        else { return nil }
        self.init(logRounds: logRounds, blockSize: blockSize, parallelism: parallelism, salt: salt, hash: hash)
    }

    public init(logRounds: Int, blockSize: Int, parallelism: Int, salt: [UInt8], hash: [UInt8]) {
        self.logRounds = logRounds
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
        self.hash = hash
    }

    private static func derive(
        _ password: String,
        salt: [UInt8],
        logRounds: Int,
        blockSize: Int,
        parallelism: Int
    ) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async {
                continuation.resume(
                    with: Result {
                        let key = try KDF.Scrypt.deriveKey(
                            from: Array(password.utf8),
                            salt: salt,
                            outputByteCount: 32,
                            rounds: 1 << logRounds,
                            blockSize: blockSize,
                            parallelism: parallelism
                        )
                        return key.withUnsafeBytes { Array($0) }
                    }
                )
            }
        }
    }

    // PHC strings use base64 without padding.
    private static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64(_ text: Substring) -> [UInt8]? {
        var padded = String(text)
        while padded.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded).map(Array.init)
    }
}
