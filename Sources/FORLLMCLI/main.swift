import ArgumentParser
import FORLLMApp

// Before anything else runs: async code on the event loop threads (see the method's comment).
FORLLMApplication.runAsyncCodeOnEventLoops()

/// What `AsyncParsableCommand.main()` does; spelled out because top-level code resolves
/// `ForLLM.main()` to the synchronous overload of `ParsableCommand`.
func runForLLM() async {
    do {
        var command = try ForLLM.parseAsRoot()
        if var command = command as? any AsyncParsableCommand {
            try await command.run()
        } else {
            try command.run()
        }
    } catch {
        ForLLM.exit(withError: error)
    }
}

await runForLLM()
