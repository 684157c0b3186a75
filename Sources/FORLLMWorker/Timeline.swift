/// An injected clock's instants as durations since one origin, so that code holding an
/// `any Clock<Duration>` can store instants, subtract them and sleep until one without
/// knowing the clock's `Instant` type.
///
/// ```swift
/// let timeline = Timeline(clock)            // ContinuousClock() in production, a manual clock in tests
/// let start = timeline.now                  // Duration since the origin
/// try await timeline.sleep(until: start + .seconds(5))
/// let elapsed = timeline.now - start
/// ```
struct Timeline: Sendable {
    private let reading: @Sendable () -> Duration
    private let sleeping: @Sendable (Duration) async throws -> Void

    /// A timeline on `clock` whose origin is the clock's current instant.
    init(_ clock: some Clock<Duration>) {
        let origin = clock.now
        self.reading = { origin.duration(to: clock.now) }
        self.sleeping = { deadline in
            try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil)
        }
    }

    /// The clock's current instant, as the time since the origin.
    var now: Duration { self.reading() }

    /// Suspends until the clock reaches `deadline` (a time since the origin); throws
    /// `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Duration) async throws {
        try await self.sleeping(deadline)
    }
}
