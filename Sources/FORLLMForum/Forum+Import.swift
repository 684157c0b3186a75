import FORLLMStore
import Foundation
import MailFormat
import NewsArticle

extension Forum {
    /// Imports a batch of mail messages (an mbox's or a Maildir's) into `group`, all in one
    /// transaction: an import writes many articles per commit, not one.
    ///
    /// Each message becomes an article by ``MailConversion`` (envelope headers dropped,
    /// `In-Reply-To` folded into `References`); a message without `Message-ID` gets one derived
    /// from its octets (``MailConversion/derivedMessageID(of:domain:)``, at this forum's
    /// hostname), so an import interrupted and run again stores nothing twice. `Newsgroups`
    /// becomes `group` and `Followup-To` is removed (the archive's groups are not this
    /// server's). The article is then validated as a person's post (origin
    /// ``ArticleOrigin/imported``) except that its `Date` may be of any age; it asks for no
    /// answers. A control message is refused, not applied. `References` threading is kept.
    ///
    /// A message whose Message-ID is stored already is skipped and counted; a refused one is
    /// listed with its reason; neither stops the batch.
    ///
    /// - Parameters:
    ///   - messages: the messages' octets (LF or CRLF lines, an mbox separator line allowed).
    ///   - firstPosition: the archive position of `messages[0]`, counting from 1, for
    ///     ``ImportRejection/position``.
    /// - Throws: ``StoreError`` `.notFound` for a group that does not exist, ``ForumError`` for
    ///   `forllm.personas` (persona posts are rules, not archives), other errors when the store
    ///   fails (then nothing of the batch is stored).
    public func importMail(
        _ messages: [[UInt8]],
        intoGroup group: String,
        firstPosition: Int = 1
    ) async throws -> ImportSummary {
        try await self.checkImportTarget(group)
        return try await self.storeImport(self.prepareImport(messages, intoGroup: group, firstPosition: firstPosition))
    }

    /// Throws unless `group` can take an import: it exists and is not `forllm.personas`.
    public func checkImportTarget(_ group: String) async throws {
        guard group != ForumDatabase.personasGroupName else {
            throw ForumError(.invalidInput, "\(group) cannot be imported into: posts there create and edit personas")
        }
        guard try await self.database.group(named: group) != nil else {
            throw StoreError(.notFound, "no group named \(group)")
        }
    }

    /// The first half of ``importMail(_:intoGroup:firstPosition:)``, which needs no database:
    /// conversion and validation. An importer may prepare the next batch while the previous one
    /// is being stored (``storeImport(_:)``); call ``checkImportTarget(_:)`` once first.
    public func prepareImport(_ messages: [[UInt8]], intoGroup group: String, firstPosition: Int = 1) -> ImportBatch {
        let now = self.now()
        var batch = ImportBatch(now: now)
        batch.articles.reserveCapacity(messages.count)
        for (offset, message) in messages.enumerated() {
            let position = firstPosition + offset
            do {
                batch.articles.append((position, try self.prepareImport(message, group: group, now: now)))
            } catch {
                batch.rejections.append(
                    ImportRejection(position: position, messageID: Self.messageID(of: message), reason: "\(error)")
                )
            }
        }
        return batch
    }

    /// The second half of ``importMail(_:intoGroup:firstPosition:)``: stores a prepared batch
    /// in one transaction, skipping and counting Message-IDs stored already.
    public func storeImport(_ batch: ImportBatch) async throws -> ImportSummary {
        let now = batch.now
        let stored = try await self.database.write { transaction in
            var stored = ImportSummary()
            for (position, article) in batch.articles {
                let id = article.facts.messageID?.value
                if let id, try transaction.articleExists(messageID: id) {
                    stored.duplicates += 1
                    continue
                }
                do {
                    _ = try self.insert(article, origin: .imported, now: now, transaction)
                    stored.imported += 1
                } catch let error as ArticleError {
                    stored.rejections.append(ImportRejection(position: position, messageID: id, reason: error.message))
                }
            }
            return stored
        }
        var summary = stored
        summary.rejections = (batch.rejections + stored.rejections).sorted { $0.position < $1.position }
        return summary
    }

    /// One message of an import, converted and validated outside the transaction.
    private func prepareImport(_ message: [UInt8], group: String, now: Date) throws -> PreparedArticle {
        var article = try MailConversion.article(fromMail: message, messageIDDomain: self.configuration.hostname)
        if article["Control"] != nil {
            throw ForumError(.invalidInput, "a control message is not imported (Control: \(article["Control"] ?? ""))")
        }
        article.replace(with: try HeaderField(name: "Newsgroups", value: group))
        article.removeFields(named: "Followup-To")
        return try self.prepare(article, origin: .imported, now: now)
    }

    /// The Message-ID of a message that could not be converted, when one can be read.
    private static func messageID(of message: [UInt8]) -> String? {
        let normalized = MailConversion.crlfNormalized(message.prefix(16_384))
        guard let end = normalized.firstRange(of: [13, 10, 13, 10])?.lowerBound ?? Optional(normalized.count),
            let head = try? Article(parsing: normalized[..<end] + [13, 10, 13, 10])
        else { return nil }
        return head["Message-ID"].flatMap { MessageID(validating: $0)?.value }
    }
}
