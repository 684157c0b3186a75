import FORLLMForum
import Logging
import NewsArticle
import SMTPCore
import SMTPServer

/// The SMTP receiver's view of the forum (`mail.smtp_listen`): RCPT asks the forum where mail
/// to an address goes, DATA submits the message through the forum's mail door
/// (``Forum/submitMail(_:recipients:envelopeSender:)``), which is ``Forum/inject(_:origin:)``
/// with the same validation and request rules as NNTP POST and `forllm sendmail`.
struct ForumMailBackend: SMTPBackend {
    let forum: Forum
    /// What the server checks before storing, as for NNTP `POST` (``ForumBackend/requestCheck``).
    let requestCheck: (@Sendable (Article) async -> String?)?
    let logger: Logger

    /// `550` naming the address when it is no group or persona here; `451` when the store
    /// cannot say now.
    func recipient(_ address: SMTPMailbox) async -> SMTPRecipientDecision {
        do {
            _ = try await self.forum.mailRecipient(address.address)
            return .accepted
        } catch let error as MailSubmissionError where error.code == .unknownAddress {
            return .refused(error.message)
        } catch {
            self.logger.error("SMTP: cannot check a recipient", metadata: ["smtp.error": "\(error)"])
            return .temporaryFailure("the forum cannot take mail just now; try again later")
        }
    }

    /// `250` with the article's Message-ID; `554` with the reason for a message the forum
    /// refuses; `451` when the store cannot take it now (the client tries again later).
    func deliver(_ envelope: SMTPEnvelope, message: [UInt8]) async -> SMTPDeliveryOutcome {
        do {
            let injected = try await self.forum.submitMail(
                message,
                recipients: envelope.recipients.map(\.address),
                envelopeSender: envelope.reversePath.mailbox?.address,
                check: self.requestCheck
            )
            self.logger.info(
                "SMTP: message stored",
                metadata: ["smtp.message_id": "\(injected.messageID.value)", "smtp.client": "\(envelope.clientName)"]
            )
            return .accepted(id: injected.messageID.value)
        } catch let error as MailSubmissionError where error.code != .unavailable {
            return .refused(error.message)
        } catch {
            self.logger.error("SMTP: cannot store a message", metadata: ["smtp.error": "\(error)"])
            return .temporaryFailure("the forum cannot take mail just now; try again later")
        }
    }
}
