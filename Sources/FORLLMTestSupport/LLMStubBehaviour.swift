/// What a stub server does with one chat request: the script of its answer.
///
/// ```swift
/// await stub.enqueue(.answer(["Hel", "lo ", "wörld"], promptTokens: 30))   // next chat request
/// await stub.enqueue(.streamError(after: ["partial"], message: "CUDA error: out of memory"))
/// await stub.setBehaviour(.httpError(status: 500, message: "boom"), forModel: "broken")
/// var slow = LLMStubBehaviour.answer(["a", "b"])
/// slow.delay = .milliseconds(50)          // before every piece
/// slow.chunking = .allAtOnce
/// await stub.enqueue(slow)
/// ```
///
/// Without a script the stub answers with ``echo``: `Answer to: <first line of the last user
/// message>`, streamed a word at a time.
public struct LLMStubBehaviour: Sendable {
    /// The kind of answer.
    public enum Response: Sendable {
        /// Status 200 and a stream of these content pieces; `nil`: the ``echo`` text.
        case answer(pieces: [String]?)
        /// This status with this body (`nil`: an error object of the wire format whose
        /// message is `message`).
        case httpError(status: Int, message: String, rawBody: String?)
        /// Reads the request and never answers, not even the status line, until the client
        /// closes the connection.
        case hangBeforeHeaders
        /// Sends the status line and headers of a stream, then nothing until the client closes
        /// the connection.
        case hangAfterHeaders
    }

    /// How a streamed answer ends after its pieces.
    public enum Ending: Hashable, Sendable {
        /// Ollama: the `"done": true` line with `done_reason`, counts and timings.
        /// OpenAI: a chunk with `finish_reason`, the usage chunk when asked for and offered,
        /// then `data: [DONE]`.
        case done
        /// Ollama: a line `{"error": message}`. OpenAI: an event
        /// `data: {"error": {"message": message, ...}}`. Then the response ends normally.
        case streamError(String)
        /// The stub closes the connection in the middle of the chunked body.
        case disconnect
        /// After the pieces, these pieces again and again, as fast as the client reads, until
        /// the client closes the connection (a model in a loop that never stops).
        case repeatForever([String])
    }

    /// How lines (NDJSON lines, SSE events) are cut into TCP writes.
    public enum Chunking: Hashable, Sendable {
        /// Each line in two writes, split at its middle byte (also inside UTF-8 sequences),
        /// so clients must re-assemble lines across chunks.
        case splitLines
        /// One write per line.
        case wholeLines
        /// The whole answer in one write (``LLMStubBehaviour/delay`` is ignored): many lines in one chunk.
        case allAtOnce
    }

    public var response: Response
    public var ending: Ending
    /// Ollama `done_reason`, OpenAI `finish_reason`: `stop`, `length`, ...
    public var finishReason: String
    /// Ollama `prompt_eval_count`, OpenAI `usage.prompt_tokens`; `nil`: all message characters / 4.
    public var promptTokens: Int?
    /// Ollama `eval_count`, OpenAI `usage.completion_tokens`; `nil`: the number of pieces.
    public var completionTokens: Int?
    /// OpenAI only: prompt tokens served from the cache, as OpenAI reports them
    /// (`usage.prompt_tokens_details.cached_tokens`) and, on the finish chunk, as llama.cpp's
    /// server does (`timings.cache_n` and `prompt_n`); `nil`: neither is sent.
    public var cachedPromptTokens: Int?
    /// The pause before every piece (including the first): slow models, inactivity tests.
    public var delay: Duration
    public var chunking: Chunking
    /// When set, the stub holds the request (no status line yet) until
    /// ``LLMStubServer/openGate()``: for observing requests in flight.
    public var waitsForGate: Bool
    /// OpenAI only: end SSE lines with CRLF instead of LF.
    public var usesCRLF: Bool
    /// OpenAI only: send a `: comment` line and an `event: message` field with every event,
    /// which clients must ignore.
    public var sendsSSEExtras: Bool

    public init(
        response: Response,
        ending: Ending = .done,
        finishReason: String = "stop",
        promptTokens: Int? = nil,
        completionTokens: Int? = nil,
        delay: Duration = .zero,
        chunking: Chunking = .splitLines,
        waitsForGate: Bool = false,
        usesCRLF: Bool = false,
        sendsSSEExtras: Bool = false,
        cachedPromptTokens: Int? = nil
    ) {
        self.cachedPromptTokens = cachedPromptTokens
        self.response = response
        self.ending = ending
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.delay = delay
        self.chunking = chunking
        self.waitsForGate = waitsForGate
        self.usesCRLF = usesCRLF
        self.sendsSSEExtras = sendsSSEExtras
    }

    /// The default: streams `Answer to: <first line of the last user message>` a word at a time.
    public static let echo = LLMStubBehaviour(response: .answer(pieces: nil))

    /// Streams `pieces`, then ends with `finishReason` (`length`: the answer was cut off).
    public static func answer(
        _ pieces: [String],
        finishReason: String = "stop",
        promptTokens: Int? = nil,
        cachedPromptTokens: Int? = nil,
        completionTokens: Int? = nil,
        delay: Duration = .zero
    ) -> LLMStubBehaviour {
        LLMStubBehaviour(
            response: .answer(pieces: pieces),
            finishReason: finishReason,
            promptTokens: promptTokens,
            completionTokens: completionTokens,
            delay: delay,
            cachedPromptTokens: cachedPromptTokens
        )
    }

    /// Streams `pieces`, then an error line or event with `message` (Ollama's out-of-memory case).
    public static func streamError(after pieces: [String] = [], message: String) -> LLMStubBehaviour {
        LLMStubBehaviour(response: .answer(pieces: pieces), ending: .streamError(message))
    }

    /// In a piece, this character goes out as the single byte 0xFF: invalid UTF-8 inside a
    /// JSON string, as a broken server could send it.
    public static let invalidUTF8Placeholder: Character = "\u{F8FF}"

    /// Streams `pieces`, then `loop` forever (until the client hangs up).
    public static func forever(after pieces: [String] = [], repeating loop: [String]) -> LLMStubBehaviour {
        LLMStubBehaviour(response: .answer(pieces: pieces), ending: .repeatForever(loop), chunking: .wholeLines)
    }

    /// Streams `pieces`, then closes the connection mid-body.
    public static func disconnect(after pieces: [String]) -> LLMStubBehaviour {
        LLMStubBehaviour(response: .answer(pieces: pieces), ending: .disconnect)
    }

    /// Answers `status` with the wire format's error object carrying `message`
    /// (Ollama `{"error": message}`, OpenAI `{"error": {"message": message, ...}}`).
    public static func httpError(status: Int, message: String) -> LLMStubBehaviour {
        LLMStubBehaviour(response: .httpError(status: status, message: message, rawBody: nil))
    }

    /// Answers `status` with exactly `rawBody`.
    public static func httpError(status: Int, rawBody: String) -> LLMStubBehaviour {
        LLMStubBehaviour(response: .httpError(status: status, message: rawBody, rawBody: rawBody))
    }

    /// Never answers (see ``Response/hangBeforeHeaders``).
    public static let hangBeforeHeaders = LLMStubBehaviour(response: .hangBeforeHeaders)

    /// Sends the headers, then nothing (see ``Response/hangAfterHeaders``).
    public static let hangAfterHeaders = LLMStubBehaviour(response: .hangAfterHeaders)

    /// This behaviour, held until ``LLMStubServer/openGate()``.
    public func gated() -> LLMStubBehaviour {
        var copy = self
        copy.waitsForGate = true
        return copy
    }
}
