import FuzzSupport
import NewsArticle

/// libFuzzer target: the `X-FORLLM-Request` parser (`ForumRequest(parsing:)`).
///
/// The input is a header value (as UTF-8, invalid sequences replaced as a header's value is).
/// Properties:
/// - parsing never traps; a refusal is `.invalidRequest` with a message naming the header;
/// - a parsed request has no empty or duplicate (case-insensitively) names, no empty model or
///   backend;
/// - its `headerValue` parses to the same request, and writing that again gives the same text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForumRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let value = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    let request: ForumRequest
    do {
        request = try ForumRequest(parsing: value)
    } catch {
        require(error.code == .invalidRequest, "refusal with code \(error.code) for \(value.debugDescription)")
        require(error.message.hasPrefix(ForumRequest.headerName), "refusal not naming the header: \(error.message)")
        return 0
    }
    if case .personas(let names) = request.who {
        require(!names.isEmpty, "no persona in \(value.debugDescription)")
        for name in names {
            require(!name.isEmpty, "an empty persona name from \(value.debugDescription)")
        }
        require(
            Set(names.map { $0.lowercased() }).count == names.count,
            "duplicate persona names from \(value.debugDescription)"
        )
    }
    require(request.model.map { !$0.isEmpty } ?? true, "an empty model from \(value.debugDescription)")
    require(request.backend.map { !$0.isEmpty } ?? true, "an empty backend from \(value.debugDescription)")

    let written = request.headerValue
    do {
        let again = try ForumRequest(parsing: written)
        require(
            again == request,
            "round trip changed \(value.debugDescription) via \(written.debugDescription) into \(again)"
        )
        require(again.headerValue == written, "headerValue is not stable for \(value.debugDescription)")
    } catch {
        require(false, "\(written.debugDescription), written from \(value.debugDescription), does not parse: \(error)")
    }
    return 0
}
