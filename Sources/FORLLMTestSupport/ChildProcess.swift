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

    /// Runs `path arguments…` to its end, with standard input empty; its output collected in
    /// ``OutputFiles``.
    ///
    /// - Parameter environment: The whole environment; `nil` for this process's.
    public static func run(
        _ path: String,
        _ arguments: [String],
        environment: [String: String]? = nil
    ) async throws -> Output {
        let files = try OutputFiles()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        files.attach(to: process)
        process.standardInput = FileHandle.nullDevice
        let status = await (try ChildProcess(starting: process)).exitStatus()
        let (output, errors) = files.read()
        return Output(status: status, standardOutput: output, standardError: errors)
    }
}

/// Two files, in a scratch directory of their own, that collect a child's standard output
/// and error. Unlike pipes they never fill up, so nobody must read them while the child runs
/// (a pipe read after the end blocks its thread until then; one never read stalls a child that
/// prints more than it holds). The directory goes when the value does.
public final class OutputFiles {
    private let directory: URL
    private let output: FileHandle
    private let errors: FileHandle

    public init() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("forllm-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        do {
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("out").path, contents: nil)
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("err").path, contents: nil)
            self.output = try FileHandle(forWritingTo: directory.appendingPathComponent("out"))
            self.errors = try FileHandle(forWritingTo: directory.appendingPathComponent("err"))
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Makes the files `process`'s standard output and error (before it runs).
    public func attach(to process: Process) {
        process.standardOutput = self.output
        process.standardError = self.errors
    }

    /// What the child wrote to its standard output and error (after its end).
    public func read() -> (output: String, errors: String) {
        (
            (try? String(contentsOf: self.directory.appendingPathComponent("out"), encoding: .utf8)) ?? "",
            (try? String(contentsOf: self.directory.appendingPathComponent("err"), encoding: .utf8)) ?? ""
        )
    }

    deinit {
        try? self.output.close()
        try? self.errors.close()
        try? FileManager.default.removeItem(at: self.directory)
    }
}
