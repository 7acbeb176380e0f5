/// Holm's step-down correction of m p-values of one family (the comparisons of one claim): the
/// i-th smallest (i = 1 … m) is adjusted to max_{j ≤ i} min(1, (m − j + 1) p₍ⱼ₎), and a comparison
/// is significant at level α when its adjusted p-value is below α. Controls the family-wise error
/// rate without assuming independence.
enum HolmCorrection {
    /// The adjusted p-values, in the order of `pValues`.
    static func adjusted(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
