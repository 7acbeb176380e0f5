/// Per-step values of several runs (seeds) of one row, summarised step by step: the mean line,
/// and the min–max range when there are two runs or more. Runs of different lengths are cut to
/// the shortest; NaN values (a method without the quantity) drop the step.
struct SeedCurves {
    /// x, mean, min, max per step.
    let steps: [(x: Double, mean: Double, low: Double, high: Double)]
    let runs: Int

    /// `curves[r][i]` is run r's value at step i, which is plotted at `x(i)`.
    init?(_ curves: [[Double]], x: (Int) -> Double) {
        guard let length = curves.map(\.count).min(), length > 0 else { return nil }
        runs = curves.count
        steps = (0..<length).compactMap { i in
            let values = curves.map { $0[i] }
            guard values.allSatisfy(\.isFinite) else { return nil }
            return (x(i), values.reduce(0, +) / Double(values.count), values.min()!, values.max()!)
        }
        if steps.isEmpty { return nil }
    }

    var mean: [(x: Double, y: Double)] { steps.map { ($0.x, $0.mean) } }
    /// The min–max band; nil for one run (it would have no width).
    var range: [(x: Double, low: Double, high: Double)]? { runs > 1 ? steps.map { ($0.x, $0.low, $0.high) } : nil }
}
