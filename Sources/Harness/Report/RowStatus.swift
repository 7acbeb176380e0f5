/// What the record holds for one row at one profile, as the summary and the coverage matrix
/// state it: from "reproduced" (the paper's number, at its protocol, with enough seeds) down to
/// "not run".
struct RowStatus {
    let runs: RowRuns
    /// The paper's number for the row (IDE rows of Tables 1–3), when it has one.
    let paper: PaperResult?
    /// The row's dataset is wholly absent under the data root.
    let dataMissing: Bool
    let kind: ReportKind

    init(_ results: TableResults, member: ExperimentRun, group: TwinGroup, profile: Profile) {
        runs = RowRuns(results, row: member.row, profile: profile)
        kind = results.experiment.file.kind
        paper = member.training.method == .ide && results.experiment.file.kind == .accuracy ? group.primary.paper : nil
        dataMissing = results.missingData[member.row] != nil
    }

    /// Against the paper by `statistic`, for completed trained runs at the paper's protocol.
    func comparison(_ statistic: AccuracyStatistic) -> PaperComparison? {
        guard runs.runProtocol == .paper, let paper, let ours = runs.summary(statistic) else { return nil }
        return PaperComparison(ours: ours, paper: paper)
    }

    /// "complete", "subset" or "missing": whether the runs read the whole dataset.
    var dataCell: String {
        if dataMissing, runs.records.isEmpty { return "missing" }
        guard !runs.records.isEmpty else { return ReportFormat.dash }
        return runs.records.allSatisfy(\.readsWholeDataset) ? "complete" : "subset"
    }

    /// The status cell of the coverage matrix.
    var text: String {
        if runs.completed.isEmpty {
            if dataMissing { return "data missing" }
            let states = Set(runs.records.map(\.status.name)).sorted()
            return states.isEmpty ? "not run" : states.joined(separator: ", ")
        }
        if kind == .memory {
            let iterations = Set(runs.completed.map(\.memory.peakBytes.count)).sorted().map(String.init)
            return "memory measured (\(iterations.joined(separator: "/")) training iterations)"
        }
        guard let kind = runs.runProtocol else { return "not run" }
        if runs.trained.isEmpty { return "not trained (\(kind.name))" }
        switch kind {
        case .smoke: return "smoke"
        case .subset: return "subset only"
        case .reduced: return "reduced profile"
        case .paper:
            guard paper != nil else { return "paper protocol, no paper number" }
            let readings = [AccuracyStatistic.best, .last].compactMap { statistic in
                comparison(statistic).map { "\(statistic.shortName): \($0.readingText)" }
            }
            return readings.joined(separator: " · ")
        }
    }
}
