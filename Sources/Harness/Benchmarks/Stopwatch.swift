import Tensor

/// Times a piece of work the way a shared machine needs it: `warmups` untimed runs (caches,
/// workspaces, thread pools), then `repetitions` timed runs, reported as median and best. The
/// median is the typical cost; the best is the cost with the least interference from other jobs.
public struct Stopwatch: Sendable {
    public var warmups: Int
    public var repetitions: Int

    public init(warmups: Int = 1, repetitions: Int = 5) {
        precondition(warmups >= 0 && repetitions >= 1, "Stopwatch needs warmups ≥ 0 and repetitions ≥ 1")
        self.warmups = warmups
        self.repetitions = repetitions
    }

    /// Runs `body` `warmups + repetitions` times and returns the timed repetitions.
    public func measure<E: Error>(_ body: () throws(E) -> Void) throws(E) -> Timing {
        for _ in 0..<warmups { try body() }
        let clock = ContinuousClock()
        var seconds: [Double] = []
        for _ in 0..<repetitions {
            let start = clock.now
            try body()
            seconds.append((clock.now - start).inSeconds)
        }
        return Timing(seconds: seconds)
    }
}

/// Wall-clock times of repeated runs of the same work.
public struct Timing: Sendable {
    /// Seconds of each repetition, in run order.
    public let seconds: [Double]

    public init(seconds: [Double]) {
        precondition(!seconds.isEmpty, "a Timing needs at least one repetition")
        self.seconds = seconds
    }

    /// The median (mean of the two middle values for an even count), in seconds.
    public var median: Double { seconds.median()! }

    /// The shortest repetition, in seconds.
    public var best: Double { seconds.min()! }
}
