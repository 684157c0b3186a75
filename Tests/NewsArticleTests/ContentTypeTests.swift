import Testing

@testable import NewsArticle

@Suite("ContentType")
struct ContentTypeTests {
    @Test("parsing")
    func parsing() throws {
        let value = "Text/Plain; Charset=\"UTF-8\"; format=flowed (comment); DelSp=Yes"
        let type = try #require(ContentType(parsing: value))
        #expect(type.mediaType == "text/plain")
        #expect(type.charset == "UTF-8")
        #expect(type[parameter: "FORMAT"] == "flowed")
        #expect(type[parameter: "delsp"] == "Yes")
        #expect(type[parameter: "boundary"] == nil)

        let multipart = try #require(ContentType(parsing: "multipart/alternative;\r\n boundary=\"------------A1;b\""))
        #expect(multipart.type == "multipart")
        #expect(multipart[parameter: "boundary"] == "------------A1;b")

        let extended = try #require(ContentType(parsing: "text/plain; title*=utf-8''%E2%82%AC%20rates"))
        #expect(extended[parameter: "title"] == "€ rates")

        let lenient = try #require(ContentType(parsing: "text/plain; ; junk; charset=utf-8;"))
        #expect(lenient.charset == "utf-8")
    }

    @Test("not a content type", arguments: ["", "text", "/plain", "text/", "; charset=utf-8"])
    func invalid(_ value: String) {
        #expect(ContentType(parsing: value) == nil)
    }

    @Test("headerValue quotes when needed and parses back")
    func headerValue() throws {
        let type = ContentType(type: "Multipart", subtype: "Mixed", parameters: ["Boundary": "a b", "x": "token"])
        #expect(type.headerValue == "multipart/mixed; boundary=\"a b\"; x=token")
        #expect(ContentType(parsing: type.headerValue) == type)
    }
}
