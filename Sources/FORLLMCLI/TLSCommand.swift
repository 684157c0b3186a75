import ArgumentParser
import FORLLMApp
import Foundation

struct TLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Make a certificate for NNTPS and STARTTLS.",
        subcommands: [SelfSigned.self]
    )

    struct SelfSigned: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-signed",
            abstract: "Write a new private key and a self-signed certificate for a LAN (P-256, PEM).",
            discussion: """
                Name every way clients reach this machine: its host name, its .local or LAN name, \
                its IP address. The key file gets mode 0600; existing files are kept unless --force. \
                Then set server.tls.certificate and server.tls.key as printed, and make the clients \
                trust the certificate file (see the README, "Sharing FORLLM on a network").

                  forllm tls self-signed --hostname gpubox.lan --hostname 192.168.1.10 --out /etc/forllm
                """
        )

        @Option(
            name: .customLong("hostname"),
            help: ArgumentHelp("A DNS name or IP address clients connect to (repeat for more).", valueName: "host")
        )
        var hostnames: [String] = []

        @Option(help: ArgumentHelp("Directory for forllm-cert.pem and forllm-key.pem.", valueName: "dir"))
        var out = "."

        @Option(help: "Days the certificate is valid (at most 825).")
        var days = SelfSignedCertificate.maximumDays

        @Flag(help: "Replace existing files.")
        var force = false

        func validate() throws {
            if self.hostnames.isEmpty {
                throw ValidationError("Name at least one --hostname (a DNS name or an IP address).")
            }
        }

        func run() throws {
            do {
                let certificate = try SelfSignedCertificate(hostnames: self.hostnames, days: self.days)
                let paths = try certificate.write(to: self.out, force: self.force)
                print(certificate.instructions(certificatePath: paths.certificate, keyPath: paths.privateKey))
            } catch let error as ConfigurationError {
                printError("\(error.key): \(error.problem)")
                throw ExitCode(error.key == "--out" ? 73 : 64)
            } catch {
                printError(describe(error))
                throw ExitCode(1)
            }
        }
    }
}
