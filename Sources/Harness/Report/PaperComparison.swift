/// A row's accuracy at the paper's protocol against the paper's number for it (spec §9.1): the
/// difference of the means in points and in units of the paper's standard deviation, and how it
/// reads. The paper reports mean ± std over repeated runs, so its std is the yardstick: a mean
/// within `tolerance` of them, over at least `minimumSeeds` seeds, reproduces the number.
struct PaperComparison {
    let ours: SampleSummary
    let paper: PaperResult

    /// Paper standard deviations within which a mean reproduces the paper's.
    static let tolerance = 2.0
    /// Seeds below which a comparison is descriptive only.
    static let minimumSeeds = 3

    /// ours − paper, in points.
    var difference: Double { ours.mean - paper.mean }

    /// |ours − paper| / paper std; nil when the paper gives no std.
    var paperDeviations: Double? {
        guard let std = paper.std, std > 0 else { return nil }
        return abs(difference) / std
    }

    enum Reading: Equatable {
        case reproduced
        case notReproduced
        /// Within the tolerance, on fewer than `minimumSeeds` seeds.
        case closeOnFewSeeds
        /// Outside the tolerance, on fewer than `minimumSeeds` seeds.
        case farOnFewSeeds
        /// The paper gives no std to judge by.
        case noYardstick
    }

    var reading: Reading {
        guard let k = paperDeviations else { return .noYardstick }
        let close = k <= Self.tolerance
        if ours.count >= Self.minimumSeeds { return close ? .reproduced : .notReproduced }
        return close ? .closeOnFewSeeds : .farOnFewSeeds
    }

    /// "−0.09 (1.0 std)"
    var differenceText: String {
        ReportFormat.signed(difference, 2) + (paperDeviations.map { " (\(ReportFormat.fixed($0, 1)) std)" } ?? "")
    }

    /// "reproduced", "not reproduced: 3.8 std below", "within 2 std, n = 1", …
    var readingText: String {
        let side = difference < 0 ? "below" : "above"
        let k = paperDeviations.map { ReportFormat.fixed($0, 1) } ?? ""
        switch reading {
        case .reproduced: return "reproduced"
        case .notReproduced: return "not reproduced: \(k) std \(side)"
        case .closeOnFewSeeds: return "within \(ReportFormat.fixed(Self.tolerance, 0)) std, n = \(ours.count) (too few seeds to call)"
        case .farOnFewSeeds: return "\(k) std \(side), n = \(ours.count) (too few seeds to call)"
        case .noYardstick: return "no paper std to judge by"
        }
    }
}
