import Crypto
import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A self-signed certificate and its private key for a server on a LAN (`forllm tls
/// self-signed`): P-256 ECDSA, the host names and addresses it is for as subject alternative
/// names, PEM.
///
/// The certificate is an end-entity certificate (`CA:FALSE`, `serverAuth`): a client trusts it
/// directly (Thunderbird's exception, `cafile=` in Python, `-CAfile` in openssl), and a
/// browser-style checker does not refuse it as a CA used for a server.
public struct SelfSignedCertificate: Sendable {
    /// The names it is valid for: DNS names and IP addresses, the first also its common name.
    public let hostnames: [String]
    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    public let certificatePEM: String
    /// The private key, PEM (PKCS #8, `-----BEGIN PRIVATE KEY-----`).
    public let privateKeyPEM: String
    /// The SHA-256 fingerprint of the certificate, `AB:CD:…`, as Thunderbird and openssl show it.
    public let fingerprint: String
    /// The last day it is valid.
    public let notValidAfter: Date

    /// The longest validity, in days: Apple's clients refuse server certificates valid for
    /// longer (support.apple.com/102028).
    public static let maximumDays = 825

    /// The file names ``write(to:force:)`` uses in its directory.
    public static let certificateFileName = "forllm-cert.pem"
    public static let privateKeyFileName = "forllm-key.pem"

    /// Makes a new key and a certificate for `hostnames`, valid from a few minutes before `now`
    /// (clocks on a LAN differ) for `days` days.
    ///
    /// - Throws: ``ConfigurationError`` (key `--hostname` or `--days`) for a name that is neither
    ///   a DNS name nor an IP address, no name at all, or days out of range.
    public init(hostnames: [String], days: Int = Self.maximumDays, now: Date = Date()) throws {
        guard let commonName = hostnames.first else {
            throw ConfigurationError(key: "--hostname", problem: "name at least one host name or IP address")
        }
        guard (1...Self.maximumDays).contains(days) else {
            throw ConfigurationError(
                key: "--days",
                problem: "'\(days)' is not a number of days from 1 to \(Self.maximumDays)"
            )
        }
        let names = try hostnames.map { try Self.generalName($0) }
        let key = P256.Signing.PrivateKey()
        let certificateKey = Certificate.PrivateKey(key)
        let subject = try DistinguishedName {
            CommonName(commonName)
            OrganizationName("FORLLM (self-signed)")
        }
        let notValidAfter = now.addingTimeInterval(TimeInterval(days) * 86_400)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: certificateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: notValidAfter,
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
                SubjectKeyIdentifier(hash: certificateKey.publicKey)
            },
            issuerPrivateKey: certificateKey
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.hostnames = hostnames
        self.certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
        self.privateKeyPEM = key.pemRepresentation + "\n"
        self.fingerprint = SHA256.hash(data: serializer.serializedBytes)
            .map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }
            .joined(separator: ":")
        self.notValidAfter = notValidAfter
    }

    /// Writes ``privateKeyFileName`` (mode 0600) and ``certificateFileName`` (mode 0644) into
    /// `directory`, which is created when missing; refuses to replace either file unless `force`.
    ///
    /// - Returns: The absolute paths of the certificate and the key.
    @discardableResult
    public func write(to directory: String, force: Bool = false) throws -> (certificate: String, privateKey: String) {
        let base = URL(fileURLWithPath: directory).standardizedFileURL
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let certificatePath = base.appendingPathComponent(Self.certificateFileName).path
        let keyPath = base.appendingPathComponent(Self.privateKeyFileName).path
        if !force {
            for path in [keyPath, certificatePath] where FileManager.default.fileExists(atPath: path) {
                throw ConfigurationError(
                    key: "--out",
                    problem: "'\(path)' exists; use --force to replace it (clients trusting the old certificate "
                        + "will have to trust the new one)"
                )
            }
        }
        try Self.create(keyPath, contents: self.privateKeyPEM, mode: 0o600)
        try Self.create(certificatePath, contents: self.certificatePEM, mode: 0o644)
        return (certificatePath, keyPath)
    }

    /// The lines of conf/forllm.yaml that use the files, and what to do next.
    public func instructions(certificatePath: String, keyPath: String) -> String {
        """
        Wrote \(keyPath) (private key, mode 0600)
          and \(certificatePath) (certificate for \(self.hostnames.joined(separator: ", ")), \
        valid until \(Self.day(self.notValidAfter)))
        SHA-256 fingerprint: \(self.fingerprint)

        Set in conf/forllm.yaml:
        server:
          tls:
            certificate: \(certificatePath)
            key: \(keyPath)

        (or FORLLM_SERVER_TLS_CERTIFICATE and FORLLM_SERVER_TLS_KEY), and server.tls_listen for NNTPS.
        Clients must trust \(certificatePath): copy it to them (it holds no secret).
        """
    }

    // MARK: - Helpers

    /// A DNS name (`forllm.lan`, `*.forllm.lan`) or an IP address (`192.168.1.10`, `fd00::1`).
    static func generalName(_ name: String) throws -> GeneralName {
        var ipv4 = in_addr()
        if inet_pton(AF_INET, name, &ipv4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &ipv4) { Array($0) })))
        }
        var ipv6 = in6_addr()
        if inet_pton(AF_INET6, name, &ipv6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &ipv6) { Array($0) })))
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let isValid =
            !name.isEmpty && name.count <= 253
            && labels.enumerated().allSatisfy { index, label in
                (index == 0 && label == "*" && labels.count > 2)
                    || (!label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                        && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" })
            }
        guard isValid else {
            throw ConfigurationError(
                key: "--hostname",
                problem: "'\(name)' is neither a host name (forllm.lan) nor an IP address (192.168.1.10)"
            )
        }
        return .dnsName(name.lowercased())
    }

    /// Creates `path` with `mode` (replacing a file there) and writes `contents`.
    private static func create(_ path: String, contents: String, mode: mode_t) throws {
        if FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
        // O_EXCL with the mode given at creation: the key is never readable by others, not even
        // for a moment.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            throw ConfigurationError(
                key: "--out",
                problem: "cannot create '\(path)': \(String(cString: strerror(errno)))"
            )
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data(contents.utf8))
        try handle.close()
    }

    private static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: Swift.max(0, length - self.count)) + self
    }
}
