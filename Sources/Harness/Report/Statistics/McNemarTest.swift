import Foundation

/// McNemar's exact test of two classifiers on the same test samples: of the samples exactly one
/// of them gets right (b for the first, c for the second), is the split b : c compatible with
/// 1 : 1? Under that hypothesis b ~ Binomial(b + c, ½), and the two-sided p-value is
///
///     p = min(1, 2 Σ_{i ≤ min(b, c)} C(b + c, i) / 2^{b + c}).
///
/// The paired test a single seed per side allows, where a Welch test needs several.
struct McNemarTest: Equatable {
    /// Samples only the first classifier gets right, and only the second.
    let onlyFirst: Int
    let onlySecond: Int
    let pValue: Double

    /// nil when the two lists differ in length.
    init?(first: [Bool], second: [Bool]) {
        guard first.count == second.count, !first.isEmpty else { return nil }
        onlyFirst = zip(first, second).count { $0 && !$1 }
        onlySecond = zip(first, second).count { !$0 && $1 }
        pValue = Self.exactTwoSidedP(onlyFirst, onlySecond)
    }

    static func exactTwoSidedP(_ b: Int, _ c: Int) -> Double {
        let n = b + c, k = min(b, c)
        guard n > 0 else { return 1 }
        // Σ_{i ≤ k} C(n, i) 2^{−n}, in logarithms so that large n neither overflows nor underflows.
        let logTotal = Double(n) * log(2.0)
        let logTerms = (0...k).map { (i: Int) -> Double in
            let logChoose: Double = lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
            return logChoose - logTotal
        }
        let largest = logTerms.max()!
        let tail = exp(largest) * logTerms.reduce(0) { $0 + exp($1 - largest) }
        return min(1, 2 * tail)
    }
}
