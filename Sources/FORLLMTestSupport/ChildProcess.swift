import Foundation

/// A child process a test waits for without holding a thread of the cooperative pool.
///
/// `Process.waitUntilExit()` blocks its thread. On a two-core machine the pool has two
/// threads, and the servers, stubs and clients of every test running beside this one run on
/// them: two blocking waits at once stop them all, and their clients' timeouts fire (a
/// fresh-clone CI failed so, five tests together). The end is reported by the process's
/// termination handler instead, set before the process starts so that no end is missed.
public struct ChildProcess: Sendable {
    /// The process's id, for signals.
    public let processIdentifier: Int32
    private let exits: AsyncStream<Int32>

    /// Starts `process` (configured but not yet run).
    public init(starting process: Process) throws {
        let (exits, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.finish()
            throw error
        }
        self.processIdentifier = process.processIdentifier
        self.exits = exits
    }

    /// Waits for the process's end; its exit status (or the signal that ended it).
    public func exitStatus() async -> Int32 {
        var iterator = self.exits.makeAsyncIterator()
        return await iterator.next() ?? -1
    }

    /// Sends SIGTERM and waits for the end.
    @discardableResult
    public func terminate() async -> Int32 {
        kill(self.processIdentifier, SIGTERM)
        return await self.exitStatus()
    }

    /// What a finished program printed and how it ended.
    public struct Output: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output.
        public var standardOutput: String
        /// Standard error.
        public var standardError: String
    }

    /// Runs `path arguments…` to its end, with standard input empty. Its output goes to
    /// files, not pipes: a pipe read after the end would block a pool thread, and one read
    /// before it would stall a program that prints more than the pipe holds.
    ///
    /// - Parameter environment: The whole environment; `nil` for this process's.
    public static func run(
        _ path: String,
        _ arguments: [String],
        environment: [String: String]? = nil
    ) async throws -> Output {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("forllm-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let status = await (try ChildProcess(starting: process)).exitStatus()
        return Output(
            status: status,
            standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
    }
}
