/// Collects the streamed answer of one chat: the text, the character count, the time to the
/// first token, and the throttled progress reports, timed on the client's injected clock. Both
/// wire formats feed it.
///
/// It also bounds the answer, whatever the server does: ``append(_:)`` returns `false` when the
/// client must stop reading and close the stream (the server then stops generating), and
/// ``cut`` says why:
/// - **tokens**: the request's `maximumTokens`, counted as the larger of the content pieces
///   received (Ollama, llama.cpp and vLLM stream one token per piece) and the answer's UTF-8
///   bytes / 8 (no tokenizer averages more than 8 bytes a token, so a server that sends many
///   tokens per piece is still bounded). A server that honours `num_predict`/`max_tokens` ends
///   the stream itself first (`length`), so this only fires for one that does not;
/// - **bytes**: the request's `maximumBytes`, what an article can hold;
/// - **repetition**: a loop at the end of the text (``LLMRepetitionDetector``); the repeated
///   tail is dropped but for one copy of the passage.
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
    private let maximumTokens: Int?
    private let maximumBytes: Int?
    private var detector: LLMRepetitionDetector?
    /// Content pieces received.
    private(set) var pieceCount = 0
    /// `text.utf8.count`.
    private(set) var byteCount = 0
    /// Why the client stopped reading before the server ended the answer; `nil` while it reads.
    private(set) var cut: LLMTruncation?

    /// An accumulator for `request`, sent at `start` (on `timeline`).
    init(
        timeline: Timeline,
        start: Duration,
        request: LLMChatRequest,
        progress: @escaping @Sendable (Int) async -> Void
    ) {
        self.timeline = timeline
        self.start = start
        self.reportedAt = start
        self.progress = progress
        self.maximumTokens = request.maximumTokens
        self.maximumBytes = request.maximumBytes
        self.detector = request.stopsRepetition ? LLMRepetitionDetector() : nil
    }

    /// From sending the request until now.
    var elapsed: Duration { self.timeline.now - self.start }

    /// Adds a streamed piece of the answer; `false` when the answer reached a bound and the
    /// client must stop reading (``cut`` says which).
    mutating func append(_ piece: String) async -> Bool {
        guard !piece.isEmpty else { return true }
        guard self.cut == nil else { return false }
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
        self.pieceCount += 1
        self.byteCount += piece.utf8.count
        self.checkBounds(after: piece)
        let newCharacters = self.characterCount - self.reportedCount
        if newCharacters >= Self.progressCharacterStep
            || (newCharacters > 0 && now - self.reportedAt >= Self.progressInterval)
        {
            await self.report(at: now)
        }
        return self.cut == nil
    }

    /// Sets ``cut`` (and shortens the text) when the answer went past a bound.
    private mutating func checkBounds(after piece: String) {
        if let maximumBytes = self.maximumBytes, self.byteCount > maximumBytes {
            self.keep(bytes: maximumBytes)
            self.cut = .articleSize(bytes: maximumBytes)
            return
        }
        if let maximumTokens = self.maximumTokens, max(self.pieceCount, self.byteCount / 8) > maximumTokens {
            self.cut = .answerCutOff
            return
        }
        if let loop = self.detector?.append(piece) {
            self.keep(bytes: loop.keptBytes)
            self.cut = .repetition(loop)
        }
    }

    /// Shortens the text to its first `bytes` UTF-8 bytes, at a character boundary.
    private mutating func keep(bytes: Int) {
        self.text = self.text.utf8Prefix(bytes)
        self.byteCount = self.text.utf8.count
        self.characterCount = self.text.count
    }

    /// Why the finished answer may be incomplete: the client's own cut, else the server's
    /// `length`; then a prompt the server evaluated too little of
    /// (``LLMTruncation/detectPromptTruncation(messages:evaluatedTokens:contextLength:)``).
    func truncations(
        finishReason: String?,
        messages: [LLMMessage],
        evaluatedTokens: Int?,
        contextLength: Int?
    ) -> [LLMTruncation] {
        var truncations: [LLMTruncation] = []
        if let cut = self.cut {
            truncations.append(cut)
        } else if finishReason == "length" {
            truncations.append(.answerCutOff)
        }
        if let prompt = LLMTruncation.detectPromptTruncation(
            messages: messages,
            evaluatedTokens: evaluatedTokens,
            contextLength: contextLength
        ) {
            truncations.append(prompt)
        }
        return truncations
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
