import Foundation
import NewsArticle

/// The vote an article casts on the persona answer it follows up (PRODUCT.md "Forum features
/// from the reader"): an `X-FORLLM-Vote: +1` or `-1` header, or a follow-up whose own text
/// (quotes and signature left out) is just `+1` or `-1`.
struct ArticleVote: Hashable, Sendable {
    /// `+1` or `-1`.
    var value: Int
    /// Whether the header asked for it: then the article must follow up a persona's answer.
    /// A bare `+1` to anything else is an ordinary follow-up.
    var isExplicit: Bool

    /// Header field name.
    static let headerName = "X-FORLLM-Vote"

    /// The vote `article` casts, if any; `authoredText` is its own text (quotes and signature
    /// left out, ``ArticleText/authoredText(_:)``). Throws `.invalidRequest` for a header that
    /// is not `+1` or `-1`, or on an article that follows nothing up.
    init?(of article: Article, authoredText text: String, references: [MessageID]) throws(ArticleError) {
        if let header = article[Self.headerName] {
            guard let value = Self.value(header) else {
                throw ArticleError(
                    .invalidRequest,
                    "\(Self.headerName): '\(header.prefix(40))' is not +1 or -1"
                )
            }
            guard !references.isEmpty else {
                throw ArticleError(
                    .invalidRequest,
                    "\(Self.headerName): a vote must be a follow-up to a persona's answer (no References)"
                )
            }
            self.init(value: value, isExplicit: true)
            return
        }
        guard !references.isEmpty else { return nil }
        // Cheap test first: a bare vote is a few bytes.
        guard text.utf8.count <= 16, let value = Self.value(text) else { return nil }
        self.init(value: value, isExplicit: false)
    }

    init(value: Int, isExplicit: Bool) {
        self.value = value
        self.isExplicit = isExplicit
    }

    /// `+1` → 1, `-1` → -1 (white space around ignored); anything else `nil`.
    static func value(_ text: String) -> Int? {
        switch text.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "+1": 1
        case "-1": -1
        default: nil
        }
    }
}
