import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress display on standard error, redrawn in place with `\r`: only when
/// standard error is a terminal (a script or a log file gets the summary line alone), and at
/// most ten times a second.
struct ProgressLine {
    private var lastShown: ContinuousClock.Instant?
    private var shownAnything = false

    /// A progress line when standard error is a terminal, else `nil`.
    static func onTerminal() -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
    }

    /// Redraws the line with `text` (unless it was drawn less than 100 ms ago).
    mutating func show(_ text: String) {
        let now = ContinuousClock.now
        if let lastShown = self.lastShown, now - lastShown < .milliseconds(100) { return }
        self.lastShown = now
        self.shownAnything = true
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
    }

    /// Clears the line, so that the summary starts on a clean one.
    mutating func clear() {
        if self.shownAnything { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        self.shownAnything = false
    }
}
