import FORLLMForum
import FORLLMWorker
import Foundation
import NewsArticle
import NNTPServer
import SMTPServer

// The modules' configuration values as the modules get them. FORLLMConfiguration holds them
// itself (`nntp`, `forum`, `worker`), so their defaults are the modules' `init`s and a key is
// one row of ConfigurationKeys; a value shared by several modules (the hostname, the article
// size limit) is kept once, in the forum's, and copied here.

extension FORLLMConfiguration {
    /// The news server's settings: its own, with the forum's hostname and article limit.
    /// `implementation` is the `IMPLEMENTATION` capability.
    public var nntpServerConfiguration: NNTPServerConfiguration {
        var configuration = self.nntp
        configuration.hostname = self.forum.hostname
        configuration.maximumArticleBytes = self.forum.postingPolicy.maximumBytes
        configuration.authenticationRequired = self.auth.user != nil
        configuration.implementation = "FORLLM \(FORLLMVersion.version)"
        return configuration
    }

    /// The SMTP receiver's settings when `mail.smtp_listen` is set: its address, with the
    /// forum's hostname and article limit and the news server's connection limits, so that
    /// mail clients get the same limits as newsreaders.
    public var smtpServerConfiguration: SMTPServerConfiguration? {
        guard var configuration = self.smtp else { return nil }
        configuration.hostname = self.forum.hostname
        configuration.maximumMessageBytes = self.forum.postingPolicy.maximumBytes
        configuration.maximumConnections = self.nntp.maximumConnections
        configuration.idleTimeout = self.nntp.idleTimeout
        return configuration
    }

    /// The reply worker's settings, with the forum's hostname.
    public var workerConfiguration: WorkerConfiguration {
        var configuration = self.worker
        configuration.hostname = self.forum.hostname
        configuration.calendar = .current
        configuration.userAgent = FORLLMVersion.userAgent
        return configuration
    }

    /// The forum's settings.
    public var forumConfiguration: ForumConfiguration {
        var configuration = self.forum
        configuration.deliveredGroups = self.mailDelivery.deliveredGroups
        return configuration
    }
}
