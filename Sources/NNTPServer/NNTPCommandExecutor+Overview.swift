import NIOCore
import NNTPCore

// MARK: - OVER, XOVER, HDR, XHDR, XPAT

extension NNTPCommandExecutor {
    /// Which of the header commands is answered.
    enum HeaderForm {
        /// `HDR`: `225`, `423` for an empty range.
        case hdr
        /// `XHDR`: `221`, an empty list for an empty range.
        case xhdr
        /// `XPAT`: `221`, only the values the pattern matches.
        case xpat(Wildmat)
    }

    /// The numbers a range selector names in the selected group, or the error status.
    private enum Resolved {
        case range(group: String, ClosedRange<Int64>)
        case empty
        case failure(NNTPStatus, String)
    }

    private func resolve(_ selector: NNTPRangeSelector, context: NNTPSessionContext) -> Resolved {
        guard let group = context.selectedGroup else {
            return .failure(.noGroupSelected, "no newsgroup selected")
        }
        switch selector {
        case .current:
            guard let current = context.currentArticle else {
                return .failure(.currentArticleInvalid, "current article number is invalid")
            }
            return .range(group: group, current...current)
        case .range(let range):
            guard let numbers = range.closedRange(clampedTo: 0...Int64.max) else {
                return .empty
            }
            return .range(group: group, numbers)
        case .messageID:
            // Handled by the callers before resolving.
            return .empty
        }
    }

    /// `OVER`/`XOVER [range|message-id]` → `224` and the overview lines, or `412`, `420`,
    /// `423`, `430`. The backend's pre-rendered batches go out as they are.
    ///
    /// - SeeAlso: [RFC 3977 §8.3](https://datatracker.ietf.org/doc/html/rfc3977#section-8.3)
    func over(_ selector: NNTPRangeSelector, context: NNTPSessionContext, writer: inout NNTPResponseWriter) async throws
    {
        if case .messageID(let messageID) = selector {
            guard let entry = try await self.backend.overview(messageID: messageID) else {
                writer.buffer.writeNNTPStatusLine(.noArticleWithMessageID, "no such article")
                return
            }
            writer.buffer.writeNNTPStatusLine(.overviewFollows, "overview information follows")
            // By message-id the number field is 0 (RFC 3977 §8.3.2).
            writer.buffer.writeString("0\t")
            writer.buffer.writeNNTPDataLine(bytes: entry.fields.readableBytesView)
            writer.buffer.writeNNTPTerminator()
            return
        }
        let group: String
        var range: ClosedRange<Int64>
        switch self.resolve(selector, context: context) {
        case .failure(let status, let text):
            writer.buffer.writeNNTPStatusLine(status, text)
            return
        case .empty:
            writer.buffer.writeNNTPStatusLine(.noArticleWithNumber, "no articles in that range")
            return
        case .range(let name, let numbers):
            group = name
            range = numbers
        }
        var batch = try await self.backend.overview(inGroup: group, range: range, limit: self.batchSize)
        guard batch.count > 0 else {
            if case .current = selector {
                writer.buffer.writeNNTPStatusLine(.currentArticleInvalid, "current article number is invalid")
            } else {
                writer.buffer.writeNNTPStatusLine(.noArticleWithNumber, "no articles in that range")
            }
            return
        }
        writer.buffer.writeNNTPStatusLine(.overviewFollows, "overview information follows")
        while true {
            guard batch.count >= self.batchSize, let last = batch.lastNumber, last < range.upperBound else {
                var lines = batch.lines
                writer.buffer.writeBuffer(&lines)
                break
            }
            range = (last + 1)...range.upperBound
            // The next batch is read from the database while this one goes to the socket: the
            // two run on different threads, so a long range costs the slower of the two, not
            // their sum.
            let nextRange = range
            async let next = self.backend.overview(inGroup: group, range: nextRange, limit: self.batchSize)
            var lines = batch.lines
            writer.buffer.writeBuffer(&lines)
            try await writer.flushIfFull()
            batch = try await next
        }
        writer.buffer.writeNNTPTerminator()
    }

    /// `HDR`/`XHDR field [range|message-id]` and `XPAT field range|message-id pattern` →
    /// `225`/`221` and `number value` lines, or `412`, `420`, `423` (`HDR` only), `430`.
    ///
    /// A header no article has is no error: each article gets an empty value (`HDR`, `XHDR`)
    /// and `XPAT` an empty list.
    ///
    /// - SeeAlso: [RFC 3977 §8.5](https://datatracker.ietf.org/doc/html/rfc3977#section-8.5),
    ///   [RFC 2980 §2.6, §2.9](https://datatracker.ietf.org/doc/html/rfc2980#section-2.6)
    func headers(
        _ field: String,
        _ selector: NNTPRangeSelector,
        form: HeaderForm,
        context: NNTPSessionContext,
        writer: inout NNTPResponseWriter
    ) async throws {
        if case .messageID(let messageID) = selector {
            guard let article = try await self.backend.article(messageID: messageID) else {
                writer.buffer.writeNNTPStatusLine(.noArticleWithMessageID, "no such article")
                return
            }
            let value = Self.sanitised(NNTPHeaderExtractor.value(of: field, in: article))
            switch form {
            case .hdr:
                // By message-id the number field is 0 (RFC 3977 §8.5.2).
                writer.buffer.writeNNTPStatusLine(.headersFollow, "headers follow")
                writer.buffer.writeNNTPDataLine("0 \(value)")
            case .xhdr:
                writer.buffer.writeNNTPStatusLine(.headFollows, "\(field) follows")
                writer.buffer.writeNNTPDataLine("\(messageID) \(value)")
            case .xpat(let pattern):
                writer.buffer.writeNNTPStatusLine(.headFollows, "\(field) matches follow")
                if pattern.matches(value) {
                    writer.buffer.writeNNTPDataLine("\(messageID) \(value)")
                }
            }
            writer.buffer.writeNNTPTerminator()
            return
        }
        let group: String
        var range: ClosedRange<Int64>
        switch self.resolve(selector, context: context) {
        case .failure(let status, let text):
            writer.buffer.writeNNTPStatusLine(status, text)
            return
        case .empty:
            Self.writeHeaderStatus(field, form: form, isEmpty: true, writer: &writer)
            if case .hdr = form {
                return
            }
            writer.buffer.writeNNTPTerminator()
            return
        case .range(let name, let numbers):
            group = name
            range = numbers
        }
        var values = try await self.backend.headerValues(
            field: field,
            inGroup: group,
            range: range,
            limit: self.batchSize
        )
        Self.writeHeaderStatus(field, form: form, isEmpty: values.isEmpty, writer: &writer)
        if values.isEmpty, case .hdr = form {
            return
        }
        while true {
            guard values.count >= self.batchSize, let last = values.last?.number, last < range.upperBound else {
                Self.writeHeaderLines(values, form: form, writer: &writer)
                break
            }
            range = (last + 1)...range.upperBound
            // As for OVER: the next batch is read while this one goes to the socket.
            let nextRange = range
            async let next = self.backend.headerValues(
                field: field,
                inGroup: group,
                range: nextRange,
                limit: self.batchSize
            )
            Self.writeHeaderLines(values, form: form, writer: &writer)
            try await writer.flushIfFull()
            values = try await next
        }
        writer.buffer.writeNNTPTerminator()
    }

    /// `number value` lines; `XPAT` keeps only the values its pattern matches.
    private static func writeHeaderLines(
        _ values: [NNTPHeaderValue],
        form: HeaderForm,
        writer: inout NNTPResponseWriter
    ) {
        for entry in values {
            let value = Self.sanitised(entry.value)
            if case .xpat(let pattern) = form, !pattern.matches(value) {
                continue
            }
            writer.buffer.writeNNTPDataLine("\(entry.number) \(value)")
        }
    }

    private static func writeHeaderStatus(
        _ field: String,
        form: HeaderForm,
        isEmpty: Bool,
        writer: inout NNTPResponseWriter
    ) {
        switch form {
        case .hdr:
            if isEmpty {
                writer.buffer.writeNNTPStatusLine(.noArticleWithNumber, "no articles in that range")
            } else {
                writer.buffer.writeNNTPStatusLine(.headersFollow, "headers follow")
            }
        case .xhdr:
            writer.buffer.writeNNTPStatusLine(.headFollows, "\(field) follows")
        case .xpat:
            writer.buffer.writeNNTPStatusLine(.headFollows, "\(field) matches follow")
        }
    }
}
