/// Why a request to a model failed: a call to an LLM server, or the request itself (its article,
/// persona or backend gone, an answer that cannot be used). The worker module's one error.
/// `message` is one line for a person: it goes into the queue's `error` column and into the
/// notice posted in the thread, and it is the error's `description`.
public struct LLMError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unreachable
            case connectionFailed
            case timedOut
            case badStatus
            case modelNotFound
            case streamError
            case invalidResponse
            case emptyAnswer
            case unauthorized
            case notRunnable
            case requestCancelled
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// Nothing answered at the server's address (connection refused, no route, connect
        /// timeout): the server is not running or the machine is off.
        public static let unreachable = Code(.unreachable)
        /// The connection broke, or the stream ended before the answer was complete.
        public static let connectionFailed = Code(.connectionFailed)
        /// No data for longer than the inactivity timeout.
        public static let timedOut = Code(.timedOut)
        /// An HTTP status other than 2xx (see ``LLMError/httpStatus``).
        public static let badStatus = Code(.badStatus)
        /// The server does not have the model.
        public static let modelNotFound = Code(.modelNotFound)
        /// The stream carried an error object (`{"error": ...}` line or SSE error event).
        public static let streamError = Code(.streamError)
        /// The body was not the expected wire format, or the answer in it not what was asked
        /// for (persona generation: not the JSON asked for, too few usable personas).
        public static let invalidResponse = Code(.invalidResponse)
        /// The stream ended without any answer text.
        public static let emptyAnswer = Code(.emptyAnswer)
        /// 401/403: wrong or missing API key.
        public static let unauthorized = Code(.unauthorized)
        /// The request cannot run as queued: its article, persona, group or backend is gone.
        public static let notRunnable = Code(.notRunnable)
        /// The request was cancelled (`forllm queue cancel`) while its answer was generated:
        /// nothing is posted.
        public static let requestCancelled = Code(.requestCancelled)

        public var description: String { "\(self.base)" }
    }

    public var code: Code
    public var message: String
    /// The HTTP status when there was one.
    public var httpStatus: Int?
    /// The error this one reports (a store refusal, a transport error), for logs; `message`
    /// already says what a person needs to know. Not compared by `==`.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, httpStatus: Int? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.cause = cause
    }

    public static func == (lhs: LLMError, rhs: LLMError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.httpStatus == rhs.httpStatus
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
        hasher.combine(self.httpStatus)
    }

    /// Whether trying again later may help: an unreachable server, connection failures,
    /// timeouts, 5xx, 429, stream errors, invalid responses and empty answers; not an unknown
    /// model, a 4xx, a bad key, a request that cannot run or one that was cancelled.
    public var isRetryable: Bool {
        if self.code == .unreachable || self.code == .connectionFailed || self.code == .timedOut
            || self.code == .streamError
            || self.code == .invalidResponse || self.code == .emptyAnswer
        {
            return true
        }
        if self.code == .badStatus, let status = self.httpStatus {
            return status >= 500 || status == 429 || status == 408
        }
        return false
    }

    public var description: String { self.message }
}
