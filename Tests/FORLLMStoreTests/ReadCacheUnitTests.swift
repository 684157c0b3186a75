import Foundation
import Testing

@testable import FORLLMStore

/// ``ReadCache`` by itself: its bound, its eviction order, and the epoch that keeps a fill that
/// raced with a removal out.
@Suite("Read cache, by itself")
struct ReadCacheUnitTests {
    static let group = Newsgroup(
        id: 7,
        name: "forllm.test",
        description: "",
        mode: .off,
        postingAllowed: true,
        createdAt: Date(timeIntervalSince1970: 0),
        creator: "forllm",
        lastNumber: 0,
        articleCount: 0,
        lowNumber: 1
    )

    static func article(_ number: Int64, bodyBytes: Int = 1000) -> StoredArticle {
        StoredArticle(
            id: number + 100,
            messageID: "<\(number)@example.org>",
            head: Data("Subject: \(number)\r\n".utf8),
            body: Data(repeating: UInt8(ascii: "x"), count: bodyBytes),
            numbers: [GroupNumber(group: "forllm.test", number: number)]
        )
    }

    func loadedCache(capacity: Int) -> ReadCache {
        let cache = ReadCache(capacity: capacity)
        cache.fill(groups: [Self.group], groupsEpoch: cache.groupsEpoch)
        return cache
    }

    @Test("never holds more than its capacity; the oldest entries go first")
    func bounded() {
        let cache = self.loadedCache(capacity: 10_000)
        for number in Int64(1)...40 {
            cache.committed(groups: [], removedGroups: [], articles: [Self.article(number)], deletedArticles: [])
            #expect(cache.statistics.bytes <= 10_000)
        }
        let kept = cache.statistics.articles
        #expect(kept > 0 && kept < 40)
        #expect(cache.article(inGroup: "forllm.test", number: 40) != nil)
        #expect(cache.article(inGroup: "forllm.test", number: Int64(40 - kept + 1)) != nil)
        #expect(cache.article(inGroup: "forllm.test", number: Int64(40 - kept)) == nil)
        #expect(cache.article(messageID: "<1@example.org>") == nil)
        // An article larger than the whole cache is not kept (and evicts nothing).
        cache.committed(
            groups: [],
            removedGroups: [],
            articles: [Self.article(41, bodyBytes: 20_000)],
            deletedArticles: []
        )
        #expect(cache.article(inGroup: "forllm.test", number: 41) == nil)
        #expect(cache.statistics.articles == kept)
    }

    @Test("a fill read before a deletion committed is dropped, one read after it is kept")
    func fillRacingDeletion() {
        let cache = self.loadedCache(capacity: 1 << 20)
        let article = Self.article(5)
        let epochBeforeRead = cache.epoch
        // The deletion commits while the read is under way...
        cache.committed(groups: [], removedGroups: [], articles: [], deletedArticles: [article.id])
        // ...and the read, which saw the article, comes back.
        cache.fill(article: article, epoch: epochBeforeRead)
        #expect(cache.article(messageID: article.messageID) == nil)

        cache.fill(article: article, epoch: cache.epoch)
        #expect(cache.article(messageID: article.messageID) != nil)
    }

    @Test("a group table read before a group changed is not loaded")
    func groupFillRacingChange() {
        let cache = ReadCache(capacity: 1 << 20)
        let epoch = cache.groupsEpoch
        var changed = Self.group
        changed.lastNumber = 9
        cache.committed(groups: [changed], removedGroups: [], articles: [], deletedArticles: [])
        cache.fill(groups: [Self.group], groupsEpoch: epoch)
        #expect(cache.groups == nil)
        cache.fill(groups: [changed], groupsEpoch: cache.groupsEpoch)
        #expect(cache.group(named: "forllm.test")??.lastNumber == 9)
    }

    @Test("invalidateAll forgets the groups and the articles")
    func invalidate() {
        let cache = self.loadedCache(capacity: 1 << 20)
        cache.committed(groups: [], removedGroups: [], articles: [Self.article(1)], deletedArticles: [])
        #expect(cache.article(messageID: "<1@example.org>") != nil)
        cache.invalidateAll()
        #expect(cache.article(messageID: "<1@example.org>") == nil)
        #expect(cache.groups == nil)
        #expect(cache.statistics.bytes == 0)
    }
}
