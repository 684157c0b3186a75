/// Notices, while an answer streams in, that the model fell into a repetition loop: the end of
/// the text is one short passage repeated over and over ("and again and again and again ...").
///
/// **The rule.** The tail of the text is a loop when its last `span` bytes have a period `p`
/// (every byte equals the byte `p` before it) for some `p` of 1 to ``maximumPeriod`` bytes,
/// where `span` is the larger of ``minimumRepeats`` × `p` and ``minimumSpan``. So a passage
/// must repeat at least eight times *and* the repetition must cover at least 1,024 bytes
/// (about 250 tokens of English) before anything is cut. The floor is what keeps normal text
/// whole: a Markdown rule or table border (`|---|---|`), a line of `=`, a dozen identical lines
/// of code or a column of identical table rows stay far below it, while a model that loops
/// never stops on its own and crosses it within a few hundred tokens. Tuned on real answers of
/// SmolLM2-135M (greedy decoding; Tests/FORLLMWorkerTests/Fixtures/smollm2-outputs.json): its
/// five loops, with cycles from one word to a few sentences (9 to 142 bytes), are caught within
/// 1,050 bytes of their start, and none of its thirteen other answers (counting, lists, near
/// repetitions) is touched.
///
/// **The cost.** Bytes are hashed as they arrive (a polynomial prefix hash per byte), so whether
/// `text[a..<b] == text[c..<d]` is two multiplications. The tail is examined each time at least
/// ``checkInterval`` new bytes arrived, trying every period with one byte comparison and, for
/// the few that pass it, one hash comparison: O(``maximumPeriod`` / ``checkInterval``) work per
/// byte, a constant, whatever the length of the answer. A hash match is confirmed byte by byte
/// before anything is cut (only once per answer), so a hash collision can never cut text.
/// `scripts/bench` (`forllm-bench stream`) measures it on a 1 MB answer.
///
/// The work is on UTF-8 bytes: a loop of any script is periodic in its bytes too, and the cut
/// is moved forward to the next character boundary.
struct LLMRepetitionDetector {
    /// The longest repeated passage looked for, in bytes (a few sentences).
    static let maximumPeriod = 1024
    /// A passage must repeat at least this many times...
    static let minimumRepeats = 8
    /// ...and the repetition must cover at least this many bytes.
    static let minimumSpan = 1024
    /// The tail is examined after at least this many new bytes.
    static let checkInterval = 64

    private static let base: UInt64 = 0x100_0000_01b3

    private var bytes: [UInt8] = []
    /// `prefixHashes[i]`: the hash of `bytes[0..<i]`.
    private var prefixHashes: [UInt64] = [0]
    /// `powers[i]`: base^i, as far as the longest window compared needs.
    private var powers: [UInt64] = [1]
    private var checkedCount = 0

    /// Adds streamed text; returns the loop its tail is in, if it now is in one.
    mutating func append(_ piece: String) -> LLMRepetition? {
        var hash = self.prefixHashes[self.prefixHashes.count - 1]
        for byte in piece.utf8 {
            self.bytes.append(byte)
            hash = hash &* Self.base &+ UInt64(byte) &+ 1
            self.prefixHashes.append(hash)
        }
        guard self.bytes.count - self.checkedCount >= Self.checkInterval else { return nil }
        self.checkedCount = self.bytes.count
        return self.loopAtTail()
    }

    /// The shortest period whose repetition covers the tail as the rule says, if any.
    private mutating func loopAtTail() -> LLMRepetition? {
        let count = self.bytes.count
        guard count >= Self.minimumSpan else { return nil }
        let last = self.bytes[count - 1]
        for period in 1...min(Self.maximumPeriod, count / Self.minimumRepeats) {
            let span = max(Self.minimumRepeats * period, Self.minimumSpan)
            guard span <= count, self.bytes[count - 1 - period] == last else { continue }
            let start = count - span
            guard self.hash(start, count - period) == self.hash(start + period, count),
                self.matches(start, period: period, end: count)
            else { continue }
            return self.loop(period: period, provenFrom: start)
        }
        return nil
    }

    /// The loop of `period` bytes known to run from `start` to the end, extended backwards
    /// as far as it goes.
    private func loop(period: Int, provenFrom start: Int) -> LLMRepetition {
        var first = start
        while first > 0, self.bytes[first - 1] == self.bytes[first - 1 + period] {
            first -= 1
        }
        var kept = first + period
        // A cut inside a multi-byte character keeps the rest of that character.
        while kept < self.bytes.count, self.bytes[kept] & 0b1100_0000 == 0b1000_0000 {
            kept += 1
        }
        return LLMRepetition(
            keptBytes: kept,
            period: period,
            repeats: (self.bytes.count - first) / period,
            droppedBytes: self.bytes.count - kept
        )
    }

    /// The hash of `bytes[start..<end]`.
    private mutating func hash(_ start: Int, _ end: Int) -> UInt64 {
        let length = end - start
        while self.powers.count <= length {
            self.powers.append(self.powers[self.powers.count - 1] &* Self.base)
        }
        return self.prefixHashes[end] &- self.prefixHashes[start] &* self.powers[length]
    }

    /// Whether `bytes[start..<end]` has period `period`, byte by byte.
    private func matches(_ start: Int, period: Int, end: Int) -> Bool {
        self.bytes.withUnsafeBufferPointer { buffer in
            var index = start + period
            while index < end {
                if buffer[index] != buffer[index - period] { return false }
                index += 1
            }
            return true
        }
    }
}

/// A repetition loop found at the end of an answer (``LLMRepetitionDetector``).
public struct LLMRepetition: Hashable, Sendable {
    /// The text kept: everything before the loop and one copy of the repeated passage, in
    /// UTF-8 bytes (on a character boundary).
    public var keptBytes: Int
    /// The length of the repeated passage, in bytes.
    public var period: Int
    /// How many times the passage was there (whole copies).
    public var repeats: Int
    /// Bytes removed from the end.
    public var droppedBytes: Int

    public init(keptBytes: Int, period: Int, repeats: Int, droppedBytes: Int) {
        self.keptBytes = keptBytes
        self.period = period
        self.repeats = repeats
        self.droppedBytes = droppedBytes
    }
}
