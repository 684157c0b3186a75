import NIOCore

/// A range of article numbers as a client writes it.
///
/// ```
/// range = article-number ["-" [article-number]]
/// ```
///
/// The bounds are whatever the client sent: a range may be empty (`9-3`) and its bounds may be
/// huge. Use ``closedRange(clampedTo:)`` to intersect it with a group's numbers; it never
/// computes a length, so no bound can make it overflow.
///
/// - SeeAlso: [RFC 3977 §8.3.1](https://datatracker.ietf.org/doc/html/rfc3977#section-8.3.1)
public enum ArticleRange: Hashable, Sendable {
    /// `n`: one article.
    case single(Int64)
    /// `n-`: article `n` and all that follow.
    case from(Int64)
    /// `n-m`: articles `n` to `m` inclusive; empty when `m < n`.
    case between(Int64, Int64)

    /// The lowest number in the range.
    public var lowerBound: Int64 {
        switch self {
        case .single(let number): return number
        case .from(let low): return low
        case .between(let low, _): return low
        }
    }

    /// The highest number in the range, `nil` when the range is open.
    public var upperBound: Int64? {
        switch self {
        case .single(let number): return number
        case .from: return nil
        case .between(_, let high): return high
        }
    }

    /// The part of the range that lies within `bounds`, or `nil` when they do not overlap.
    ///
    /// An open range ends at `bounds.upperBound`.
    public func closedRange(clampedTo bounds: ClosedRange<Int64>) -> ClosedRange<Int64>? {
        let low = Swift.max(self.lowerBound, bounds.lowerBound)
        let high = Swift.min(self.upperBound ?? bounds.upperBound, bounds.upperBound)
        guard low <= high else {
            return nil
        }
        return low...high
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes `range` in its wire form (`n`, `n-` or `n-m`).
    @discardableResult
    public mutating func writeArticleRange(_ range: ArticleRange) -> Int {
        switch range {
        case .single(let number):
            return self.writeString(String(number))
        case .from(let low):
            return self.writeString("\(low)-")
        case .between(let low, let high):
            return self.writeString("\(low)-\(high)")
        }
    }
}

// MARK: - CustomStringConvertible

extension ArticleRange: CustomStringConvertible {
    public var description: String {
        var buffer = ByteBuffer()
        buffer.writeArticleRange(self)
        return String(buffer: buffer)
    }
}
