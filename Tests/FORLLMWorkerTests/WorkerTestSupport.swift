import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Logging
import NewsArticle
import Synchronization

/// An in-process LLM for worker tests: answers from a script and records what it was sent.
final class FakeLLMClient: LLMClient {
    enum Step: Sendable {
        case answer(String, truncations: [LLMTruncation] = [])
        case fail(LLMError)
        /// Waits until the test calls `release()`, then answers.
        case block(String)
    }

    let backendName: String
    private let state: Mutex<(steps: [Step], received: [LLMChatRequest])>
    private let released = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let started = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let startedCount = Mutex(0)
    let availableModels: [String]

    init(name: String = "ollama", models: [String] = ["llama3.2:latest"], steps: [Step] = []) {
        self.backendName = name
        self.availableModels = models
        self.state = Mutex((steps, []))
    }

    var received: [LLMChatRequest] { self.state.withLock { $0.received } }

    func models() async throws -> [LLMModel] {
        self.availableModels.map { LLMModel(name: $0) }
    }

    func contextLength(of model: String) async throws -> Int? { 4096 }

    func chat(
        _ request: LLMChatRequest,
        progress: @escaping @Sendable (Int) async -> Void
    ) async throws -> LLMChatResult {
        let step = self.state.withLock { state -> Step in
            state.received.append(request)
            return state.steps.isEmpty
                ? .answer("Answer to: \(request.messages.last { $0.role == .user }?.content.prefix(40) ?? "")")
                : state.steps.removeFirst()
        }
        let waiters = self.started.withLock { waiters in
            defer { waiters.removeAll() }
            return waiters
        }
        self.startedCount.withLock { $0 += 1 }
        for waiter in waiters { waiter.resume() }
        switch step {
        case .answer(let text, let truncations):
            await progress(text.count)
            return LLMChatResult(
                text: text,
                finishReason: "stop",
                promptTokens: 10,
                completionTokens: 5,
                truncations: truncations,
                timeToFirstToken: .milliseconds(1),
                totalTime: .milliseconds(2)
            )
        case .fail(let error):
            throw error
        case .block(let text):
            await progress(1)
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    // Cancellation may come before the continuation is stored: check under the lock.
                    let resumeNow = self.released.withLock { waiters in
                        if Task.isCancelled { return true }
                        waiters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                self.release()
            }
            try Task.checkCancellation()
            await progress(text.count)
            return LLMChatResult(
                text: text,
                finishReason: "stop",
                promptTokens: 10,
                completionTokens: 5,
                timeToFirstToken: .milliseconds(1),
                totalTime: .milliseconds(2)
            )
        }
    }

    /// Lets blocked chats finish.
    func release() {
        let waiters = self.released.withLock { waiters in
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once a chat has started.
    func waitForStart() async {
        if self.startedCount.withLock({ $0 > 0 }) { return }
        await withCheckedContinuation { continuation in
            let already = self.startedCount.withLock { $0 > 0 }
            if already {
                continuation.resume()
            } else {
                self.started.withLock { $0.append(continuation) }
            }
        }
    }
}

func rawArticle(
    groups: String = "forllm.general",
    subject: String = "Bread",
    from: String = "Jane Doe <jane@example.org>",
    messageID: String? = nil,
    references: String? = nil,
    extraHeaders: [String] = [],
    body: String = "How long should I knead?\n"
) -> [UInt8] {
    var lines = ["From: \(from)", "Newsgroups: \(groups)", "Subject: \(subject)"]
    if let messageID { lines.append("Message-ID: \(messageID)") }
    if let references { lines.append("References: \(references)") }
    lines += extraHeaders
    return Array(
        (lines.joined(separator: "\r\n") + "\r\n\r\n" + body.replacingOccurrences(of: "\n", with: "\r\n")).utf8
    )
}

/// A worker over `clients` whose monotonic clock and wall clock are both `clock`.
/// A fresh forum on an in-memory database whose wall clock is `clock`'s date (real time
/// without one).
func makeForum(clock: ManualClock? = nil) async throws -> (Forum, ForumDatabase) {
    let forum = try await Forum.inMemory(now: { clock?.date ?? Date() })
    return (forum, forum.database)
}

/// A worker over `forum`; its monotonic clock is `clock` (give the forum the same one).
func makeWorker(
    forum: Forum,
    clients: [FakeLLMClient],
    clock: ManualClock = ManualClock(date: Date()),
    configure: (inout WorkerConfiguration) -> Void = { _ in }
) -> ReplyWorker {
    var configuration = WorkerConfiguration(
        backends: clients.map { WorkerConfiguration.Backend(name: $0.backendName) },
        calendar: Calendar(identifier: .gregorian)
    )
    configuration.defaultBackend = clients.first?.backendName ?? "ollama"
    configure(&configuration)
    return ReplyWorker(
        forum: forum,
        clients: clients.map { (name: $0.backendName, client: $0 as any LLMClient) },
        configuration: configuration,
        clock: clock,
        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    )
}
