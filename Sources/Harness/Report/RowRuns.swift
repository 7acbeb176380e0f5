/// The runs of one experiment row at one profile, as the report reads them: the completed ones,
/// split into trained and not trained, their protocol class and their accuracy statistics over
/// seeds.
struct RowRuns {
    /// The row resolved for `profile`; nil when the file does not define the profile.
    let run: ExperimentRun?
    let row: String
    let profile: Profile
    /// Every result file of the row at the profile, complete or not.
    let records: [RunRecord]

    /// The row's result files at `profile` whose conditions are of `classes` (every class by default).
    init(_ results: TableResults, row: String, profile: Profile, classes: Set<RunProtocol> = Set(RunProtocol.allCases)) {
        self.init(results, row: row, profile: profile, records: results.records(row, profile), classes: classes)
    }

    /// The released reference code's runs of the row at `profile` (tools/reference/run_table1.py).
    static func reference(_ results: TableResults, row: String, profile: Profile,
                          classes: Set<RunProtocol> = Set(RunProtocol.allCases)) -> RowRuns {
        RowRuns(results, row: row, profile: profile,
                records: (results.referenceRecords[row] ?? []).filter { $0.profile == profile }, classes: classes)
    }

    private init(_ results: TableResults, row: String, profile: Profile, records: [RunRecord], classes: Set<RunProtocol>) {
        self.row = row
        self.profile = profile
        run = results.experiment.run(row, profile: profile)
        self.records = records.filter { classes.contains(RunProtocol($0)) }
    }

    var completed: [RunRecord] { records.filter { $0.status == .complete } }
    /// Completed runs that learned: the ones every statistic and comparison uses.
    var trained: [RunRecord] { completed.filter(\.isTrained) }
    var untrained: [RunRecord] { completed.filter { !$0.isTrained } }
    var expectedSeeds: Int { run?.seeds.count ?? 0 }

    /// The class of the runs' conditions, the farthest from the paper's among them; nil without
    /// completed runs.
    var runProtocol: RunProtocol? { completed.map(RunProtocol.init).max() }

    func summary(_ statistic: AccuracyStatistic) -> SampleSummary? {
        SampleSummary(trained.compactMap { $0.accuracy(statistic) })
    }

    /// The accuracy cell by `statistic`: the summary over trained seeds, "not trained" when
    /// every completed run stayed near chance, "—" without completed runs.
    func cell(_ statistic: AccuracyStatistic) -> String {
        guard let summary = summary(statistic) else {
            guard let best = untrained.compactMap({ $0.accuracy(.best) }).max() else { return ReportFormat.dash }
            return "not trained (best \(ReportFormat.fixed(best, 2)))"
        }
        let single = summary.count == 1 ? trained.first?.wilsonInterval(statistic) : nil
        var text = ReportFormat.accuracy(summary, single: single)
        if !untrained.isEmpty { text += "; \(untrained.count) not trained" }
        return text
    }

    /// "5/5": completed runs of the expected seeds.
    var seedsCell: String { "\(completed.count)/\(expectedSeeds)" }

    /// The last epoch's training accuracy (dropout on, as trained) over the completed runs,
    /// trained or not: how far a short or failed run got on its own data.
    var lastTrainingAccuracyCell: String {
        ReportFormat.meanAndSpread(SampleSummary(completed.compactMap { $0.epochs.last?.trainAccuracy }.filter(\.isFinite)))
    }

    /// The CPU-hours every result file of the row spent (complete or not; wall-clock × compute
    /// threads, as in the summary's compute table).
    var cpuHoursCell: String { ReportFormat.fixed(records.map(\.coreSeconds).reduce(0, +) / 3600, 2) }

    /// The data the runs read: "fashion-mnist 60000/10000", "(file order)" after a run that
    /// evaluated only the first test samples in file order; the row's dataset without runs.
    var dataCell: String {
        let used = records.map { record in
            let p = record.provenance
            return "\(p.datasetUsed) \(p.trainSamples)/\(p.testSamples)" + (record.evaluatedAPartInFileOrder ? " (file order)" : "")
        }
        let distinct = used.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return distinct.isEmpty ? (run?.dataset.rawValue ?? ReportFormat.dash) : distinct.joined(separator: "; ")
    }

    /// "1 epoch", "100 epochs", "1/3 epochs".
    var epochsText: String { epochsCell == "1" ? "1 epoch" : "\(epochsCell) epochs" }

    /// The configured epochs ("100", or "1/3" when runs differ).
    var epochsCell: String {
        let values = records.compactMap { $0.integerSetting("epochs") }
        let distinct = values.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        return distinct.isEmpty ? (run.map { "\($0.training.epochs)" } ?? ReportFormat.dash)
            : distinct.map(String.init).joined(separator: "/")
    }
}

extension RunRecord {
    /// Whether the run (written before selections were stratified) evaluated only the first test
    /// samples in file order, which is biased where the files are sorted by label (N-MNIST): it
    /// set a test subset or cap and evaluated fewer than 10,000 samples, the largest test split here.
    var evaluatedAPartInFileOrder: Bool {
        provenance.testSelection.rule == .fileOrder && provenance.testSamples < 10_000
            && (setting("test_subset") != nil || setting("test_batches") != nil)
    }
}
