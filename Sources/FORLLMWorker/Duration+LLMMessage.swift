import Foundation

extension Duration {
    /// The duration in whole milliseconds, for log metadata.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// In seconds, as a `Double`.
    var seconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }

    /// `300 s`, `0.25 s`: how messages state a timeout.
    var formattedForLLMMessage: String {
        let (seconds, attoseconds) = self.components
        if attoseconds == 0 {
            return "\(seconds) s"
        }
        return String(format: "%g s", self.seconds)
    }
}
