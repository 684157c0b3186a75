import FORLLMStore
import Logging
import ServiceLifecycle

/// Keeps the server's ``ReadCache`` honest about commits made by other processes on the same
/// database file (the `forllm` CLI: `post`, `group create`, `import`, ...): every
/// ``ForumDatabase/otherWritersInterval`` it asks ``ForumDatabase/checkOtherWriters()``, which
/// empties the cache when the file changed under another connection. Commits of the server
/// itself reach the cache through its transaction observer, at once. Runs only beside a cache
/// (a service that returns would end the server's service group).
struct OtherWritersWatch: Service {
    let database: ForumDatabase
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await self.database.checkOtherWriters() {
                        self.logger.debug("Another process changed the database; read cache emptied")
                    }
                } catch {
                    self.logger.warning("Cannot check the database for other writers", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: ForumDatabase.otherWritersInterval)
            }
        }
    }
}
