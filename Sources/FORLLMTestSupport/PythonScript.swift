import Foundation

/// A Python 3 script run as a real third-party client (nntplib, smtplib) in a test.
public enum PythonScript {
    /// The first `python3` (in `/usr/bin`, `/usr/local/bin`, then `PATH`) that can import
    /// `modules`, or `nil` when there is none, so a test can be skipped.
    ///
    /// - Parameters:
    ///   - modules: What the script imports, e.g. `nntplib` or `smtplib, email.message`.
    ///   - options: Interpreter options put before `-c`, e.g. `["-W", "ignore"]`.
    public static func interpreter(importing modules: String, options: [String] = []) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"] + path {
            guard FileManager.default.isExecutableFile(atPath: candidate) else {
                continue
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: candidate)
            process.arguments = options + ["-c", "import \(modules)"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else {
                continue
            }
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                return candidate
            }
        }
        return nil
    }

    /// What a finished script printed and how it ended.
    public struct Outcome: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output.
        public var output: String
        /// Standard error.
        public var errors: String
    }

    /// Runs `python -c script arguments…` to its end (see ``ChildProcess/run(_:_:environment:)``).
    public static func run(
        _ python: String,
        options: [String] = [],
        script: String,
        arguments: [String]
    ) async throws -> Outcome {
        let output = try await ChildProcess.run(python, options + ["-c", script] + arguments)
        return Outcome(status: output.status, output: output.standardOutput, errors: output.standardError)
    }
}
