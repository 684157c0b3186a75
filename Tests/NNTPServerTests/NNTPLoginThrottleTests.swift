import NNTPServer
import Testing

@Suite("Login throttle")
struct NNTPLoginThrottleTests {
    @Test("delays double per address up to the cap; other addresses and quiet ones start afresh")
    func delays() {
        let throttle = NNTPLoginThrottle(baseDelay: .seconds(1), maximumDelay: .seconds(8), forgetAfter: .seconds(60))
        let start = ContinuousClock.Instant.now
        let delays = (0..<6).map { throttle.failed(from: "192.0.2.1", at: start.advanced(by: .seconds($0))).delay }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        #expect(throttle.failed(from: "192.0.2.2", at: start).delay == .seconds(1))
        // Quiet for the forget time: the count starts again.
        #expect(throttle.failed(from: "192.0.2.1", at: start.advanced(by: .seconds(66))) == (.seconds(1), 1))
        throttle.succeeded(from: "192.0.2.2")
        #expect(throttle.failed(from: "192.0.2.2", at: start).failures == 1)
    }

    @Test("thousands of failures never overflow the delay")
    func noOverflow() {
        let throttle = NNTPLoginThrottle()
        var last = (delay: Duration.zero, failures: 0)
        for second in 0..<5000 {
            last = throttle.failed(from: "198.51.100.9", at: .now.advanced(by: .milliseconds(second)))
        }
        #expect(last.delay == throttle.maximumDelay)
        #expect(last.failures == 5000)
    }
}
