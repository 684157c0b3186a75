/// Collects the streamed answer of one chat: the text, the character count, the time to the
/// first token, and the throttled progress reports, timed on the client's injected clock. Both
/// wire formats feed it.
struct LLMAnswerAccumulator {
    /// Report progress after this many new characters...
    static let progressCharacterStep = 200
    /// ...or when this much time passed since the last report and new text arrived.
    static let progressInterval: Duration = .milliseconds(250)

    private(set) var text = ""
    /// `text.count`, kept up to date without counting the whole text again.
    private(set) var characterCount = 0
    private(set) var timeToFirstToken: Duration?
    private let timeline: Timeline
    /// When the request was sent, on `timeline`.
    let start: Duration
    private let progress: @Sendable (Int) async -> Void
    private var reportedCount = 0
    private var reportedAt: Duration

    /// An accumulator for a request sent at `start` (on `timeline`).
    init(timeline: Timeline, start: Duration, progress: @escaping @Sendable (Int) async -> Void) {
        self.timeline = timeline
        self.start = start
        self.reportedAt = start
        self.progress = progress
    }

    /// From sending the request until now.
    var elapsed: Duration { self.timeline.now - self.start }

    mutating func append(_ piece: String) async {
        guard !piece.isEmpty else { return }
        let now = self.timeline.now
        if self.timeToFirstToken == nil {
            self.timeToFirstToken = now - self.start
        }
        // A piece can continue the last character (a combining accent, the second half of a
        // flag): only the last grapheme cluster of the text can merge with what follows.
        if let last = self.text.last {
            self.characterCount += (String(last) + piece).count - 1
        } else {
            self.characterCount += piece.count
        }
        self.text += piece
        let newCharacters = self.characterCount - self.reportedCount
        if newCharacters >= Self.progressCharacterStep
            || (newCharacters > 0 && now - self.reportedAt >= Self.progressInterval)
        {
            await self.report(at: now)
        }
    }

    /// The final progress report, unless the last one already had the final count.
    mutating func finish() async {
        if self.characterCount != self.reportedCount {
            await self.report(at: self.timeline.now)
        }
    }

    private mutating func report(at now: Duration) async {
        self.reportedCount = self.characterCount
        self.reportedAt = now
        await self.progress(self.characterCount)
    }
}
