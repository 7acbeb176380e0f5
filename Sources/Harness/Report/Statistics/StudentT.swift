import Foundation

/// Student's t distribution with ν degrees of freedom: its two-sided tail probability and the
/// quantile a confidence interval of a mean needs.
enum StudentT {
    /// P(|T_ν| ≥ |t|) = I_{ν/(ν + t²)}(ν/2, 1/2).
    static func twoSidedP(t: Double, degreesOfFreedom nu: Double) -> Double {
        regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5)
    }

    /// The t with P(|T_ν| ≥ t) = 1 − `confidence` (t₀.₉₇₅,₄ = 2.776 for 95 % and ν = 4), by bisection
    /// on the tail probability, which falls monotonically in t.
    static func criticalValue(confidence: Double, degreesOfFreedom nu: Double) -> Double {
        let tail = 1 - confidence
        var (low, high) = (0.0, 1.0)
        while twoSidedP(t: high, degreesOfFreedom: nu) > tail { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if twoSidedP(t: middle, degreesOfFreedom: nu) > tail { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// I_x(a, b) = B(x; a, b) / B(a, b), by the continued fraction of the incomplete beta
    /// function (evaluated with the modified Lentz method), using the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly (x > (a + 1)/(a + b + 2)).
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    /// 1 / (1 + d₁ / (1 + d₂ / (1 + …))) with d₂ₘ₊₁ = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)) and
    /// d₂ₘ = m(b − m)x / ((a + 2m − 1)(a + 2m)).
    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        func guarded(_ value: Double) -> Double { abs(value) < tiny ? tiny : value }
        var c = 1.0
        var d = 1 / guarded(1 - (a + b) * x / (a + 1))
        var fraction = d
        for step in 1...500 {
            let m = Double(step)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 / guarded(1 + even * d)
            c = guarded(1 + even / c)
            fraction *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 / guarded(1 + odd * d)
            c = guarded(1 + odd / c)
            let change = d * c
            fraction *= change
            if abs(change - 1) < 1e-15 { break }
        }
        return fraction
    }
}
