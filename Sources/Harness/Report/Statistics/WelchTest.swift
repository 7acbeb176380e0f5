import Foundation

/// Welch's two-sample t-test (unequal variances), two-sided: the statistical basis of the
/// report's verdicts where both sides have at least three seeds.
///
///     t = (x̄₁ − x̄₂) / √(s₁²/n₁ + s₂²/n₂)
///     ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1))      (Welch–Satterthwaite)
///     p = P(|T_ν| ≥ |t|)   (`StudentT.twoSidedP`)
///
/// where s² is the sample variance (n − 1).
struct WelchTest: Equatable {
    let t: Double
    let degreesOfFreedom: Double
    let pValue: Double

    /// The smallest sample size per side for which the report runs the test.
    static let minimumSamples = 3

    /// nil when a side has fewer than two values or both sides have zero variance.
    init?(_ first: [Double], _ second: [Double]) {
        guard first.count >= 2, second.count >= 2 else { return nil }
        let (m1, v1) = Self.meanAndVariance(first), (m2, v2) = Self.meanAndVariance(second)
        let e1 = v1 / Double(first.count), e2 = v2 / Double(second.count)
        guard e1 + e2 > 0 else { return nil }
        t = (m1 - m2) / (e1 + e2).squareRoot()
        degreesOfFreedom = (e1 + e2) * (e1 + e2) / (e1 * e1 / Double(first.count - 1) + e2 * e2 / Double(second.count - 1))
        pValue = StudentT.twoSidedP(t: t, degreesOfFreedom: degreesOfFreedom)
    }

    private static func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, squares / Double(values.count - 1))
    }
}
