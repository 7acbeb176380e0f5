/// fsnn's IDE runs of a row against the released reference code's runs of the same row on the
/// same data (tools/reference/run_table1.py), which separates the implementation from the
/// protocol: the difference of the means in units of the two samples' pooled standard deviation
///
///     s_p = √(((n₁ − 1)s₁² + (n₂ − 1)s₂²) / (n₁ + n₂ − 2)),   d = (x̄₁ − x̄₂) / s_p,
///
/// and Welch's test, both only where each side has at least `WelchTest.minimumSamples` seeds.
struct ReferenceComparison {
    let ours: [Double]
    let reference: [Double]

    /// nil unless each side has two values (a spread of its own) and the pooled spread is positive.
    var pooledStandardDeviation: Double? {
        let n1 = Double(ours.count), n2 = Double(reference.count)
        guard let a = SampleSummary(ours)?.standardDeviation, let b = SampleSummary(reference)?.standardDeviation
        else { return nil }
        let pooled = (((n1 - 1) * a * a + (n2 - 1) * b * b) / (n1 + n2 - 2)).squareRoot()
        return pooled > 0 ? pooled : nil
    }

    /// d = (x̄₁ − x̄₂) / s_p; nil while a side has fewer than `WelchTest.minimumSamples` seeds, where
    /// a spread from one or two seeds would make any gap look large or small at random.
    var standardizedDifference: Double? {
        guard hasEnoughSeeds, let pooled = pooledStandardDeviation else { return nil }
        return difference / pooled
    }

    var hasEnoughSeeds: Bool { min(ours.count, reference.count) >= WelchTest.minimumSamples }

    var difference: Double { mean(ours) - mean(reference) }

    /// Welch's test of the two samples (uncorrected: a check of the implementation, not a claim).
    var comparison: Comparison { Comparison(ours, reference) }

    private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
}

extension AccuracySection {
    /// Per row with released-code runs at the paper's protocol: fsnn's IDE against them, best and
    /// last epoch; nil when no row has them.
    static func referenceBlock(_ results: TableResults) -> String? {
        var table = MarkdownTable(["row", "statistic", "fsnn (IDE)", "released code", "Δ (fsnn − released)",
                                   "pooled std", "Δ / pooled std", "test"], numericColumns: [2, 3, 4, 5, 6])
        var implementations: [String] = []
        for group in TwinGroup.groups(in: results.experiment) {
            guard let ide = group.row(.ide) else { continue }
            let reference = RowRuns.reference(results, row: ide.row, profile: .paper, classes: [.paper])
            let ours = RowRuns(results, row: ide.row, profile: .paper, classes: [.paper])
            guard !reference.trained.isEmpty, !ours.trained.isEmpty else { continue }
            for name in reference.trained.compactMap(\.implementation) where !implementations.contains(name) {
                implementations.append(name)
            }
            for statistic in [AccuracyStatistic.best, .last] {
                let comparison = ReferenceComparison(ours: ours.trained.compactMap { $0.accuracy(statistic) },
                                                     reference: reference.trained.compactMap { $0.accuracy(statistic) })
                table.append([group.primary.label, statistic.shortName,
                              ReportFormat.meanAndSpread(SampleSummary(comparison.ours)),
                              ReportFormat.meanAndSpread(SampleSummary(comparison.reference)),
                              ReportFormat.signed(comparison.difference, 2),
                              comparison.pooledStandardDeviation.map { ReportFormat.fixed($0, 2) } ?? ReportFormat.dash,
                              comparison.standardizedDifference.map { ReportFormat.signed($0, 1) } ?? ReportFormat.dash,
                              comparison.comparison.statistics])
            }
        }
        guard !table.rows.isEmpty else { return nil }
        return "**Against the released code on the same data** (\(implementations.joined(separator: "; ")); "
            + "seeds of its own generator; profile `paper`, whole data):\n\n" + table.markdown
    }
}
