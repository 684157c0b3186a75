import FORLLMStore
import Foundation
import GRDB

/// A fresh in-memory database (seeded: `forllm.general` in auto mode with Assistant).
func makeDatabase() throws -> ForumDatabase {
    try ForumDatabase.inMemory()
}
