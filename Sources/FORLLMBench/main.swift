import ArgumentParser
import NIOCore
import NIOPosix

// The bench's tasks then run on the event loop threads: no hop between Swift Concurrency's
// pool and NIO for every reply, so the client spends as little CPU as it can on a 2-core
// machine it shares with the server it measures.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// What `AsyncParsableCommand.main()` does; spelled out because top-level code resolves
/// `main()` to the synchronous overload.
func runBench() async {
    do {
        var command = try ForLLMBench.parseAsRoot()
        if var command = command as? any AsyncParsableCommand {
            try await command.run()
        } else {
            try command.run()
        }
    } catch {
        ForLLMBench.exit(withError: error)
    }
}

await runBench()
