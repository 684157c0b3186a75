/// A three-digit NNTP response code.
///
/// ```
/// status-line = status-code SP status-text EOL   ; text is never empty on this server
/// ```
///
/// - SeeAlso: [RFC 3977 §3.2](https://datatracker.ietf.org/doc/html/rfc3977#section-3.2)
public struct NNTPStatus: Hashable, Sendable, RawRepresentable {
    public var rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// Whether a multi-line data block follows a status line with this code.
    ///
    /// - SeeAlso: [RFC 3977 §3.4.1](https://datatracker.ietf.org/doc/html/rfc3977#section-3.4.1)
    public var isMultiLine: Bool {
        switch self.rawValue {
        case 100, 101, 211, 215, 220, 221, 222, 224, 225, 230, 231: return true
        default: return false
        }
    }

    /// `100` help text follows.
    public static let helpTextFollows = NNTPStatus(rawValue: 100)
    /// `101` capability list follows.
    public static let capabilityListFollows = NNTPStatus(rawValue: 101)
    /// `111` server date and time.
    public static let serverDate = NNTPStatus(rawValue: 111)
    /// `200` service available, posting allowed.
    public static let postingAllowed = NNTPStatus(rawValue: 200)
    /// `201` service available, posting prohibited.
    public static let postingProhibited = NNTPStatus(rawValue: 201)
    /// `205` connection closing.
    public static let closingConnection = NNTPStatus(rawValue: 205)
    /// `211` group selected (and, for `LISTGROUP`, article numbers follow).
    public static let groupSelected = NNTPStatus(rawValue: 211)
    /// `215` information follows (`LIST`).
    public static let informationFollows = NNTPStatus(rawValue: 215)
    /// `220` article follows.
    public static let articleFollows = NNTPStatus(rawValue: 220)
    /// `221` headers follow (`HEAD`, `XHDR`, `XPAT`).
    public static let headFollows = NNTPStatus(rawValue: 221)
    /// `222` body follows.
    public static let bodyFollows = NNTPStatus(rawValue: 222)
    /// `223` article exists (`STAT`, `LAST`, `NEXT`).
    public static let articleExists = NNTPStatus(rawValue: 223)
    /// `224` overview information follows.
    public static let overviewFollows = NNTPStatus(rawValue: 224)
    /// `225` headers follow (`HDR`).
    public static let headersFollow = NNTPStatus(rawValue: 225)
    /// `230` list of new articles follows.
    public static let newArticlesFollow = NNTPStatus(rawValue: 230)
    /// `231` list of new newsgroups follows.
    public static let newGroupsFollow = NNTPStatus(rawValue: 231)
    /// `240` article received.
    public static let articleReceived = NNTPStatus(rawValue: 240)
    /// `281` authentication accepted (RFC 4643).
    public static let authenticationAccepted = NNTPStatus(rawValue: 281)
    /// `340` send the article.
    public static let sendArticle = NNTPStatus(rawValue: 340)
    /// `381` password required (RFC 4643).
    public static let passwordRequired = NNTPStatus(rawValue: 381)
    /// `382` continue with TLS negotiation (RFC 4642).
    public static let continueWithTLS = NNTPStatus(rawValue: 382)
    /// `400` service not available or no longer available; the server closes the connection.
    public static let serviceUnavailable = NNTPStatus(rawValue: 400)
    /// `403` internal fault.
    public static let internalFault = NNTPStatus(rawValue: 403)
    /// `411` no such newsgroup.
    public static let noSuchGroup = NNTPStatus(rawValue: 411)
    /// `412` no newsgroup selected.
    public static let noGroupSelected = NNTPStatus(rawValue: 412)
    /// `420` current article number is invalid.
    public static let currentArticleInvalid = NNTPStatus(rawValue: 420)
    /// `421` no next article.
    public static let noNextArticle = NNTPStatus(rawValue: 421)
    /// `422` no previous article.
    public static let noPreviousArticle = NNTPStatus(rawValue: 422)
    /// `423` no article with that number, or none in that range.
    public static let noArticleWithNumber = NNTPStatus(rawValue: 423)
    /// `430` no article with that message-id.
    public static let noArticleWithMessageID = NNTPStatus(rawValue: 430)
    /// `440` posting not permitted.
    public static let postingNotPermitted = NNTPStatus(rawValue: 440)
    /// `441` posting failed.
    public static let postingFailed = NNTPStatus(rawValue: 441)
    /// `480` authentication required (RFC 4643).
    public static let authenticationRequired = NNTPStatus(rawValue: 480)
    /// `481` authentication failed (RFC 4643).
    public static let authenticationFailed = NNTPStatus(rawValue: 481)
    /// `482` authentication commands out of sequence (RFC 4643).
    public static let authenticationOutOfSequence = NNTPStatus(rawValue: 482)
    /// `483` encryption or stronger authentication required (RFC 4643 §2.2, RFC 3977 §3.2.1).
    public static let encryptionRequired = NNTPStatus(rawValue: 483)
    /// `500` unknown command.
    public static let unknownCommand = NNTPStatus(rawValue: 500)
    /// `501` syntax error in command.
    public static let syntaxError = NNTPStatus(rawValue: 501)
    /// `502` command unavailable (permanently, or until authenticated).
    public static let commandUnavailable = NNTPStatus(rawValue: 502)
    /// `503` feature not supported.
    public static let featureNotSupported = NNTPStatus(rawValue: 503)
    /// `580` cannot initiate TLS negotiation (RFC 4642).
    public static let tlsUnavailable = NNTPStatus(rawValue: 580)
}

// MARK: - CustomStringConvertible

extension NNTPStatus: CustomStringConvertible {
    public var description: String {
        String(self.rawValue)
    }
}
