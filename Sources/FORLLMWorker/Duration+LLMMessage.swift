import Foundation

extension Duration {
    /// The duration in whole milliseconds, for log metadata.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// `300 s`, `0.25 s`: how messages state a timeout.
    var formattedForLLMMessage: String {
        let (seconds, attoseconds) = self.components
        if attoseconds == 0 {
            return "\(seconds) s"
        }
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return String(format: "%g s", value)
    }
}
