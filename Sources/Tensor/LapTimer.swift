/// Monotonic wall-clock time between laps, for splitting a training step into its phases.
public struct LapTimer {
    private var start = ContinuousClock.now

    public init() {}

    /// Seconds since the last lap (or creation); starts the next lap.
    public mutating func lap() -> Double {
        let now = ContinuousClock.now
        defer { start = now }
        return (now - start).inSeconds
    }
}
