/// Which epoch's test accuracy stands for a run. The paper does not say whether its per-run
/// figures are best-epoch or last-epoch accuracies (spec §7, §14 item 5), and the two can lead
/// to different conclusions, so the report shows both, and the mean of the last tenth of the
/// epochs, which is less noisy than either.
enum AccuracyStatistic: CaseIterable {
    case best
    case last
    /// The mean over the last ⌈E/10⌉ epochs.
    case finalTenth

    var name: String {
        switch self {
        case .best: return "best epoch"
        case .last: return "last epoch"
        case .finalTenth: return "mean of the last 10 % of epochs"
        }
    }

    var shortName: String {
        switch self {
        case .best: return "best"
        case .last: return "last"
        case .finalTenth: return "last 10 %"
        }
    }
}

extension RunRecord {
    /// The run's test accuracy (percent) by `statistic`; nil before its first epoch.
    func accuracy(_ statistic: AccuracyStatistic) -> Double? {
        let values = epochs.map(\.testAccuracy).filter(\.isFinite)
        guard !values.isEmpty else { return nil }
        switch statistic {
        case .best: return values.max()
        case .last: return values.last
        case .finalTenth:
            let tail = values.suffix((values.count + 9) / 10)
            return tail.reduce(0, +) / Double(tail.count)
        }
    }

    /// The number of classes (the `classes` setting).
    var classes: Int? { integerSetting("classes") }

    /// 100 / classes: the accuracy of guessing.
    var chanceAccuracy: Double? { classes.map { 100 / Double($0) } }

    /// Whether the run learned: its best test accuracy is more than `RunRecord.untrainedMargin`
    /// points above chance. Runs that did not are reported as "not trained" and kept out of
    /// every comparison.
    /// A run that does not record its classes is taken as trained.
    var isTrained: Bool {
        guard let best = accuracy(.best) else { return false }
        guard let chance = chanceAccuracy else { return true }
        return best > chance + Self.untrainedMargin
    }

    /// Percentage points above chance below which a run counts as not trained.
    static let untrainedMargin = 5.0

    /// The 95 % Wilson interval (percent) of the run's test accuracy by `statistic` on its test
    /// samples; nil for the mean of several epochs, which is no binomial proportion.
    func wilsonInterval(_ statistic: AccuracyStatistic) -> WilsonInterval? {
        guard statistic != .finalTenth, let value = accuracy(statistic) else { return nil }
        return WilsonInterval(accuracy: value / 100, samples: provenance.testSamples)
    }

    /// Wall-clock seconds of the finished epochs (training and evaluation).
    var wallSeconds: Double { epochs.map(\.seconds).filter(\.isFinite).reduce(0, +) }

    /// The compute threads the run used: OpenBLAS's and fsnn's own, whichever is larger.
    var computeThreads: Int { max(provenance.blasThreads, provenance.workerThreads, 1) }

    /// Core-seconds: wall-clock seconds × compute threads (an upper bound on CPU time).
    var coreSeconds: Double { wallSeconds * Double(computeThreads) }
}
