import FORLLMStore
import FORLLMWorker
import Testing

@Suite("Generation usage")
struct LLMUsageTests {
    @Test("the header names what the server reported; the rate is the tokens after the first over their time")
    func header() {
        let usage = LLMUsage(
            promptTokens: 1834,
            cachedPromptTokens: 1610,
            completionTokens: 212,
            timeToFirstToken: .milliseconds(410),
            totalTime: .milliseconds(5910)
        )
        // 211 tokens in 5.5 s.
        #expect(usage.headerValue == "prompt=1834; cached=1610; completion=212; first-token=0.41s; rate=38.4/s")
        #expect(usage.stored.firstTokenMilliseconds == 410)
        #expect(usage.stored.totalMilliseconds == 5910)
        #expect(usage.stored.cachedPromptTokens == 1610)

        let sparse = LLMUsage(
            promptTokens: nil,
            cachedPromptTokens: nil,
            completionTokens: 1,
            timeToFirstToken: .seconds(2),
            totalTime: .seconds(2)
        )
        #expect(sparse.headerValue == "completion=1; first-token=2.00s")
        #expect(
            LLMUsage(
                promptTokens: nil,
                cachedPromptTokens: nil,
                completionTokens: nil,
                timeToFirstToken: nil,
                totalTime: .zero
            )
            .headerValue == nil
        )
    }
}
