import FORLLMForum
import FORLLMStore
import Foundation
import Logging

/// A request that failed for good: the forum marks it failed and posts FORLLM's notice (the
/// notice is a forum rule: ``Forum/fail(requestID:because:)``); the worker says why.
extension ReplyWorker {
    /// Marks the request failed and has the forum tell the thread.
    func failForGood(_ job: ClaimedJob, reason: String, attempts: Int) async {
        let logger = self.logger.withMetadata(["worker.request": "\(job.request.id)"])
        logger.error("Request failed for good", metadata: ["worker.error": "\(reason)"])
        let failure = RequestFailure(
            reason: reason,
            attempts: attempts,
            model: job.model,
            backend: job.backend,
            userAgent: self.configuration.userAgent
        )
        do {
            try await self.forum.fail(requestID: job.request.id, because: failure)
        } catch {
            logger.error("Could not record a failed request", metadata: ["worker.error": "\(error)"])
        }
    }
}
