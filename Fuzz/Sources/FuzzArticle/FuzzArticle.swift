import Foundation
import FuzzSupport
import NewsArticle

/// libFuzzer target: the article parser (`Article(parsing:)`) and the posting checks
/// (`validateForPosting`), with what is read off an article for the overview and for a
/// follow-up.
///
/// Properties:
/// - parsing never traps; an article that parses serialises back to the input byte for byte
///   when the input has the empty line after its header, and to the input with the missing
///   line ends added when it has not; the serialised form parses to the same article;
/// - `serializedByteCount` and `headerSectionWithoutBlankLine` agree with `serialized`;
/// - the overview line has its 8 fields (7 TABs) and no CR, LF or NUL;
/// - `validateForPosting` returns or throws, under a strict and a lenient policy; what it
///   returns is consistent (valid group names, From with an address, the size limit kept).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArticle(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput.bytes(data, size)
    guard let article = try? Article(parsing: input) else {
        return 0
    }
    checkSerialization(article, input: input)
    checkOverview(article)
    checkFollowup(article)
    checkPosting(article, policy: PostingPolicy())
    checkPosting(
        article,
        policy: PostingPolicy(maximumBytes: 1 << 30, maximumAge: 1e11, maximumFutureSkew: 1e11, requiresBody: false)
    )
    return 0
}

/// A fixed clock: the fuzzer's runs stay reproducible.
private let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

private func checkSerialization(_ article: Article, input: [UInt8]) {
    let serialized = article.serialized
    require(article.serializedByteCount == serialized.count, "serializedByteCount differs from serialized.count")
    require(
        article.headerSectionWithoutBlankLine + [13, 10] + article.body == serialized,
        "header section + CRLF + body differs from serialized"
    )
    if serialized != input {
        // Only an input without the empty line may differ: its line ends were added.
        require(article.body.isEmpty, "an article with a body does not serialise to its input")
        require(serialized.starts(with: input), "serialized is not the input with line ends added")
        require(serialized.count - input.count <= 4, "serialized adds more than two line ends")
    }
    do {
        let again = try Article(parsing: serialized)
        require(again == article, "the serialised article parses to another article")
    } catch {
        require(false, "the serialised article does not parse: \(error)")
    }
    for field in article.fields {
        require(article.field(named: field.name) != nil, "field \(field.name) cannot be found by its name")
        require(field.raw.first != 32 && field.raw.first != 9, "a field starts with white space")
    }
    _ = article.bodyLineCount
}

private func checkOverview(_ article: Article) {
    let overview = OverviewFields(article: article)
    require(overview.bytes == article.serializedByteCount, "overview bytes differ from the article's size")
    let line = overview.line(xref: "forllm.example local.test:1")
    require(line.filter { $0 == 9 }.count == 7, "overview line without exactly 7 TABs")
    require(!line.contains(13) && !line.contains(10) && !line.contains(0), "overview line has CR, LF or NUL")
}

private func checkFollowup(_ article: Article) {
    _ = article.followupGroups
    _ = article.followupSubject
    if let id = MessageID(validating: "<fuzz@forllm.example>") {
        let references = article.followupReferences(messageID: id)
        require(references.last == id, "follow-up references do not end with the article's own id")
    }
}

private func checkPosting(_ article: Article, policy: PostingPolicy) {
    let facts: PostingFacts
    do {
        facts = try article.validateForPosting(now: now, policy: policy)
    } catch {
        require(!error.message.isEmpty, "a posting refusal without a message")
        return
    }
    require(article.serializedByteCount <= policy.maximumBytes, "an article over the size limit was accepted")
    require(!facts.newsgroups.isEmpty, "an article without newsgroups was accepted")
    for group in facts.newsgroups + (facts.followupTo ?? []) {
        require(NewsgroupName.isValid(group), "accepted an invalid group name \(group)")
    }
    require(Set(facts.newsgroups).count == facts.newsgroups.count, "newsgroups with duplicates")
    require(!facts.from.address.isEmpty, "accepted a From without an address")
    require(!facts.subject.isEmpty, "accepted an empty Subject")
    if policy.requiresBody {
        require(!article.body.isEmpty, "accepted an article without a body")
    }
    _ = facts.from.headerValue
    _ = facts.from.friendlyName
}
