import Foundation
import NIOCore
import NIOSSL

/// The server's TLS context, made at start-up from the PEM files of `server.tls.*`.
///
/// Every problem is a ``ConfigurationError`` naming the key whose file is wrong, so that
/// `forllm serve` stops with one line (exit status 78) before listening.
enum ServerTLS {
    /// The context for NNTPS, STARTTLS and the SMTP port; `nil` when TLS is off.
    static func context(_ tls: FORLLMConfiguration.TLS) throws(ConfigurationError) -> NIOSSLContext? {
        guard let certificatePath = tls.certificatePath, let keyPath = tls.keyPath else {
            return nil
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(try Self.read(certificatePath, key: "server.tls.certificate"))
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(
                key: "server.tls.certificate",
                problem: "'\(certificatePath)' is not a PEM certificate (\(error))"
            )
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(
                key: "server.tls.certificate",
                problem: "'\(certificatePath)' holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
            )
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: try Self.read(keyPath, key: "server.tls.key"), format: .pem)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(
                key: "server.tls.key",
                problem: "'\(keyPath)' is not an unencrypted PEM private key (\(error))"
            )
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        // After QUIT the server sends close_notify; a client that never answers it (openssl
        // s_client) would hold the connection for NIOSSL's default of 5 seconds.
        configuration.shutdownTimeout = .seconds(1)
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(
                key: "server.tls.key",
                problem: "'\(keyPath)' does not go with the certificate '\(certificatePath)' (\(error))"
            )
        }
    }

    /// The bytes of `path`, or an error naming `key` and why the file cannot be read.
    private static func read(_ path: String, key: String) throws(ConfigurationError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(key: key, problem: "'\(path)' does not exist")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: key, problem: "'\(path)' cannot be read (permissions?)")
        }
        return Array(data)
    }
}
