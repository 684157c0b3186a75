import Logging

extension Logger {
    /// This logger with `metadata` added to every entry.
    func withMetadata(_ metadata: Logger.Metadata) -> Logger {
        var logger = self
        for (key, value) in metadata { logger[metadataKey: key] = value }
        return logger
    }
}
