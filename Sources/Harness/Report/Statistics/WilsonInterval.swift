import Foundation

/// The Wilson score interval of a binomial proportion: what one test accuracy measured on n
/// samples can be trusted to (on 100 test images one sample is a whole percentage point).
///
///     centre = (p̂ + z²/2n) / (1 + z²/n),   half-width = z √(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n)
///
/// with p̂ = correct / n and z the standard normal quantile of the confidence (1.96 for 95 %).
struct WilsonInterval: Equatable {
    /// Bounds as fractions in [0, 1].
    let low: Double
    let high: Double

    /// z for a two-sided 95 % interval.
    static let z95 = 1.959963984540054

    /// The 95 % interval of `accuracy` (a fraction) measured on `samples` samples; nil for none.
    init?(accuracy: Double, samples: Int, z: Double = z95) {
        guard samples > 0, accuracy.isFinite else { return nil }
        let n = Double(samples), p = min(max(accuracy, 0), 1), z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        low = max(0, centre - half)
        high = min(1, centre + half)
    }
}
