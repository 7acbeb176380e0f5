/// Mean, sample standard deviation (n − 1; undefined for n = 1), best and count of per-seed values,
/// and the t-interval of the mean.
public struct SampleSummary: Equatable, Sendable {
    public let count: Int
    public let mean: Double
    /// nil when `count` is 1.
    public let standardDeviation: Double?
    /// The largest value (best accuracy) — or, for `smallestIsBest`, the smallest.
    public let best: Double

    /// nil for no values.
    public init?(_ values: [Double], smallestIsBest: Bool = false) {
        guard !values.isEmpty else { return nil }
        let n = values.count, mean = values.reduce(0, +) / Double(values.count)
        count = n
        self.mean = mean
        if n > 1 {
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            standardDeviation = (squares / Double(n - 1)).squareRoot()
        } else {
            standardDeviation = nil
        }
        best = smallestIsBest ? values.min()! : values.max()!
    }

    /// The half-width of the 95 % confidence interval of the mean, t₀.₉₇₅,ₙ₋₁ · s/√n; nil for one value.
    public var confidenceHalfWidth: Double? {
        standardDeviation.map { StudentT.criticalValue(confidence: 0.95, degreesOfFreedom: Double(count - 1)) * $0
            / Double(count).squareRoot() }
    }
}
