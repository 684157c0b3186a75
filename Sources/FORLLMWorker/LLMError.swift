/// Why a call to an LLM server failed. `message` is one line for a person: it goes into the
/// queue's `error` column and into the error article posted in the thread.
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
        /// The body was not the expected wire format.
        public static let invalidResponse = Code(.invalidResponse)
        /// The stream ended without any answer text.
        public static let emptyAnswer = Code(.emptyAnswer)
        /// 401/403: wrong or missing API key.
        public static let unauthorized = Code(.unauthorized)

        public var description: String { "\(self.base)" }
    }

    public var code: Code
    public var message: String
    /// The HTTP status when there was one.
    public var httpStatus: Int?

    public init(_ code: Code, _ message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    /// Whether trying again later may help: an unreachable server, connection failures,
    /// timeouts, 5xx, 429, stream errors and invalid responses; not an unknown model, a 4xx or
    /// a bad key.
    public var isRetryable: Bool {
        if self.code == .unreachable || self.code == .connectionFailed || self.code == .timedOut || self.code == .streamError
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
