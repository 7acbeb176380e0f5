/// Two samples compared on one quantity (per-seed accuracies, firing rates): the difference of
/// their means and the test their sizes allow — Welch's t-test with at least
/// `WelchTest.minimumSamples` values per side; with one run per side on the same test samples,
/// McNemar's paired test of their predictions; otherwise none (descriptive). Holm's correction
/// across the comparisons of one claim sets `adjustedP`.
struct Comparison {
    enum Test {
        case welch(WelchTest)
        case mcNemar(McNemarTest)
        /// Why no test applies.
        case none(String)
    }

    let first: [Double]
    let second: [Double]
    let test: Test
    /// Holm-adjusted p-value within the comparison's family; nil for `.none`.
    var adjustedP: Double?

    /// `firstPredictions`/`secondPredictions`: per-sample correctness of single runs on the same
    /// test samples, for McNemar's test.
    init(_ first: [Double], _ second: [Double], firstPredictions: TestPredictions? = nil,
         secondPredictions: TestPredictions? = nil) {
        self.first = first
        self.second = second
        if first.count >= WelchTest.minimumSamples, second.count >= WelchTest.minimumSamples {
            test = WelchTest(first, second).map(Test.welch) ?? .none("no variance on either side")
        } else if first.count == 1, second.count == 1, let a = firstPredictions, let b = secondPredictions,
                  a.labels == b.labels, let paired = McNemarTest(first: a.correct, second: b.correct) {
            test = .mcNemar(paired)
        } else {
            test = .none("n < \(WelchTest.minimumSamples) on a side")
        }
    }

    var difference: Double { mean(first) - mean(second) }

    var pValue: Double? {
        switch test {
        case let .welch(welch): return welch.pValue
        case let .mcNemar(paired): return paired.pValue
        case .none: return nil
        }
    }

    /// Equal means at the two decimals the report prints.
    var isTie: Bool { (difference * 100).rounded() == 0 }

    /// "Welch t = 2.31, ν = 7.4, p = 0.051 (Holm 0.102)", "McNemar 41 : 63, p = 0.039 (Holm 0.078)".
    var statistics: String {
        let holm = adjustedP.map { " (Holm \(Self.p($0)))" } ?? ""
        switch test {
        case let .welch(welch):
            return "Welch t = \(ReportFormat.fixed(welch.t, 2)), ν = \(ReportFormat.fixed(welch.degreesOfFreedom, 1)), "
                + "p \(Self.p(welch.pValue))\(holm)"
        case let .mcNemar(paired):
            return "McNemar \(paired.onlyFirst) : \(paired.onlySecond), p \(Self.p(paired.pValue))\(holm)"
        case let .none(reason):
            return "not tested (\(reason))"
        }
    }

    /// "first higher (significant)", "no significant difference", "tie", "second higher, descriptively".
    func reading(first name: String, second other: String, higher: String = "higher") -> String {
        if isTie { return "tie" }
        let leader = difference > 0 ? name : other
        guard let adjusted = adjustedP else { return "\(leader) \(higher), descriptively" }
        return adjusted < Self.significance ? "\(leader) \(higher) (significant)" : "no significant difference"
    }

    /// Whether the first is significantly higher, significantly lower, or neither.
    var significantSign: Int {
        guard let adjusted = adjustedP, adjusted < Self.significance, !isTie else { return 0 }
        return difference > 0 ? 1 : -1
    }

    static let significance = 0.05

    /// Applies Holm's correction to the tested comparisons of one family.
    static func correct(_ family: inout [Comparison]) {
        let tested = family.indices.filter { family[$0].pValue != nil }
        let adjusted = HolmCorrection.adjusted(tested.map { family[$0].pValue! })
        for (index, p) in zip(tested, adjusted) { family[index].adjustedP = p }
    }

    private static func p(_ value: Double) -> String { value < 0.001 ? "< 0.001" : "= " + ReportFormat.fixed(value, 3) }
    private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
}
