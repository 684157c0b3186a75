/// A command a client sends, as parsed by ``NNTPCommandParser``.
///
/// Every case names its wire form. Verbs and keywords are case-insensitive on the wire; header
/// names are kept lower-cased.
///
/// - SeeAlso: [RFC 3977](https://datatracker.ietf.org/doc/html/rfc3977),
///   [RFC 2980](https://datatracker.ietf.org/doc/html/rfc2980),
///   [RFC 4643](https://datatracker.ietf.org/doc/html/rfc4643),
///   [RFC 4642](https://datatracker.ietf.org/doc/html/rfc4642)
public enum NNTPCommand: Hashable, Sendable {
    /// `CAPABILITIES [keyword]` (RFC 3977 §5.2).
    case capabilities(keyword: String?)
    /// `MODE READER` (RFC 3977 §5.3).
    case modeReader
    /// `QUIT` (RFC 3977 §5.4).
    case quit
    /// `HELP` (RFC 3977 §7.2).
    case help
    /// `DATE` (RFC 3977 §7.1).
    case date
    /// `GROUP newsgroup` (RFC 3977 §6.1.1).
    case group(String)
    /// `LISTGROUP [newsgroup [range]]` (RFC 3977 §6.1.2).
    case listGroup(group: String?, range: ArticleRange?)
    /// `LAST` (RFC 3977 §6.1.3).
    case last
    /// `NEXT` (RFC 3977 §6.1.4).
    case next
    /// `ARTICLE [number|message-id]` (RFC 3977 §6.2.1).
    case article(NNTPArticleSelector)
    /// `HEAD [number|message-id]` (RFC 3977 §6.2.2).
    case head(NNTPArticleSelector)
    /// `BODY [number|message-id]` (RFC 3977 §6.2.3).
    case body(NNTPArticleSelector)
    /// `STAT [number|message-id]` (RFC 3977 §6.2.4).
    case stat(NNTPArticleSelector)
    /// `POST` (RFC 3977 §6.3.1).
    case post
    /// `NEWGROUPS date time [GMT]` (RFC 3977 §7.3).
    case newGroups(NNTPDateTime)
    /// `NEWNEWS wildmat date time [GMT]` (RFC 3977 §7.4).
    case newNews(Wildmat, NNTPDateTime)
    /// `LIST [keyword [argument]]` (RFC 3977 §7.6, RFC 6048).
    case list(NNTPListVariant)
    /// `OVER [range|message-id]` (RFC 3977 §8.3).
    case over(NNTPRangeSelector)
    /// `XOVER [range]` (RFC 2980 §2.8), answered as `OVER`.
    case xover(NNTPRangeSelector)
    /// `HDR field [range|message-id]` (RFC 3977 §8.5); the field is lower-cased.
    case hdr(field: String, NNTPRangeSelector)
    /// `XHDR field [range|message-id]` (RFC 2980 §2.6); the field is lower-cased.
    case xhdr(field: String, NNTPRangeSelector)
    /// `XPAT field range|message-id pattern [pattern ...]` (RFC 2980 §2.9); the patterns are
    /// joined by single spaces into one uniwildmat, as INN does.
    case xpat(field: String, NNTPRangeSelector, pattern: Wildmat)
    /// `AUTHINFO USER username` (RFC 4643 §2.3).
    case authinfoUser(String)
    /// `AUTHINFO PASS password` (RFC 4643 §2.3).
    case authinfoPass(String)
    /// `STARTTLS` (RFC 4642 §2.2): TLS on the connection from the next byte on.
    case startTLS
}
