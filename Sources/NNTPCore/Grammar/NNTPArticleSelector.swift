/// Which article `ARTICLE`, `HEAD`, `BODY` and `STAT` refer to.
///
/// ```
/// article-command = "ARTICLE" [WS article-ref]
/// article-ref = article-number / message-id
/// ```
///
/// - SeeAlso: [RFC 3977 §6.2.1](https://datatracker.ietf.org/doc/html/rfc3977#section-6.2.1)
public enum NNTPArticleSelector: Hashable, Sendable {
    /// No argument: the current article of the selected group.
    case current
    /// An article number in the selected group.
    case number(Int64)
    /// A message-id, angle brackets included.
    case messageID(String)
}

/// Which articles `OVER`, `HDR`, `XHDR` and `XPAT` refer to.
///
/// ```
/// over-command = "OVER" [WS range-ref]
/// range-ref = range / message-id
/// ```
///
/// - SeeAlso: [RFC 3977 §8.3.1](https://datatracker.ietf.org/doc/html/rfc3977#section-8.3.1)
public enum NNTPRangeSelector: Hashable, Sendable {
    /// No argument: the current article of the selected group.
    case current
    /// A range of article numbers in the selected group.
    case range(ArticleRange)
    /// A message-id, angle brackets included.
    case messageID(String)
}

/// The `LIST` variants.
///
/// ```
/// list-command = "LIST" [WS list-arguments]
/// list-arguments = keyword [WS token]
/// ```
///
/// - SeeAlso: [RFC 3977 §7.6](https://datatracker.ietf.org/doc/html/rfc3977#section-7.6),
///   [RFC 6048](https://datatracker.ietf.org/doc/html/rfc6048)
public enum NNTPListVariant: Hashable, Sendable {
    /// `LIST` or `LIST ACTIVE [wildmat]`: `name high low status` (RFC 3977 §7.6.3).
    case active(Wildmat?)
    /// `LIST ACTIVE.TIMES [wildmat]`: `name time creator` (RFC 3977 §7.6.4).
    case activeTimes(Wildmat?)
    /// `LIST NEWSGROUPS [wildmat]`: `name TAB description` (RFC 3977 §7.6.6).
    case newsgroups(Wildmat?)
    /// `LIST COUNTS [wildmat]`: `name high low count status` (RFC 6048 §2.2).
    case counts(Wildmat?)
    /// `LIST OVERVIEW.FMT` (RFC 3977 §8.4).
    case overviewFormat
    /// `LIST HEADERS [MSGID|RANGE]` (RFC 3977 §8.6).
    case headers(NNTPHeadersListKind)
    /// `LIST DISTRIB.PATS` (RFC 3977 §7.6.5).
    case distributionPatterns
    /// `LIST DISTRIBUTIONS` (RFC 6048 §2.4).
    case distributions
    /// `LIST SUBSCRIPTIONS` (RFC 6048 §2.6).
    case subscriptions
    /// `LIST MOTD` (RFC 6048 §2.5).
    case messageOfTheDay
}

/// The argument of `LIST HEADERS`.
///
/// - SeeAlso: [RFC 3977 §8.6](https://datatracker.ietf.org/doc/html/rfc3977#section-8.6)
public enum NNTPHeadersListKind: Hashable, Sendable {
    /// No argument: fields usable in either form of `HDR`.
    case any
    /// `MSGID`: fields usable with a message-id.
    case messageID
    /// `RANGE`: fields usable with a range.
    case range
}
