/// Tables 1–3: per row, the paper's IDE result against ours for IDE and its STBP twin.
enum AccuracySection {
    static func blocks(_ results: TableResults) -> [ReportBlock] {
        var table = MarkdownTable(
            ["row", "data (train/test)", "paper (IDE)", "IDE (ours)", "n", "Δ", "STBP (ours)", "n", "profile", "epochs"],
            numericColumns: [2, 3, 4, 5, 6, 7, 9])
        var notes: [String] = []
        let profiles = results.lineProfiles
        for pair in RowPair.pairs(in: results.experiment) {
            for profile in profiles {
                let ide = pair.ide.map { completed(results, $0.row, profile) } ?? []
                let stbp = pair.stbp.map { completed(results, $0.row, profile) } ?? []
                let ideSummary = SampleSummary(ide.compactMap(\.bestAccuracy))
                let stbpSummary = SampleSummary(stbp.compactMap(\.bestAccuracy))
                var label = pair.primary.label
                if let note = pair.primary.dataNote {
                    if !notes.contains(note) { notes.append(note) }
                    label += " " + String(repeating: "†", count: notes.firstIndex(of: note)! + 1)
                }
                var delta = ReportFormat.dash
                if let ours = ideSummary?.mean, let paper = pair.ide?.paper?.mean {
                    delta = ReportFormat.signed(ours - paper, 2)
                }
                table.append([
                    label, dataUsed(ide + stbp, fallback: pair.primary), ReportFormat.paper(pair.ide?.paper),
                    measured(ideSummary, pair.ide, results), count(ide, pair.ide, results, profile), delta,
                    measured(stbpSummary, pair.stbp, results), count(stbp, pair.stbp, results, profile),
                    profile?.rawValue ?? ReportFormat.dash, epochs(ide + stbp),
                ])
            }
        }
        var text = table.markdown
        for (index, note) in notes.enumerated() {
            text += "\n\(String(repeating: "†", count: index + 1)) \(note)\n"
        }
        if text.contains("(file order ‡)") {
            text += "\n‡ Result written before fsnn chose subsets class-stratified: its test samples were the first in "
                + "file order, which is biased where the files are sorted by label (N-MNIST); rerun with `--overwrite`.\n"
        }
        text += "\nSubsets and capped test sets are seeded class-stratified selections, the same for both methods of "
            + "a seed (`/config@test_selection`, `test_class_counts` in each result file).\n"
        return [.text(text)] + profiles.compactMap { $0.flatMap { curvesFigure(results, profile: $0) } }.map(ReportBlock.figure)
    }

    /// Test accuracy per epoch, one panel per row pair with completed runs: IDE (solid) and its
    /// STBP twin (dashed), the mean over seeds with the min–max range shaded.
    static func curvesFigure(_ results: TableResults, profile: Profile) -> GnuplotFigure? {
        var panels: [GnuplotFigure.Panel] = []
        for pair in RowPair.pairs(in: results.experiment) {
            var panel = GnuplotFigure.Panel(title: pair.primary.label, xLabel: "epoch", yLabel: "test accuracy (%)",
                                            yLimits: 0...100)
            for (color, run) in [pair.ide, pair.stbp].enumerated() {
                guard let run, let curves = SeedCurves(results.completed(run.row, profile).map { $0.epochs.map(\.testAccuracy) },
                                                       x: { Double($0 + 1) }) else { continue }
                let method = run.training.method.rawValue.uppercased()
                let seeds = curves.runs == 1 ? "1 seed" : "mean of \(curves.runs) seeds"
                if let range = curves.range {
                    panel.bands.append(.init(title: "\(method) min–max", points: range, color: color))
                }
                panel.series.append(.init(title: "\(method) (\(seeds))", points: curves.mean,
                                          dash: color == 0 ? .solid : .dashed, color: color))
            }
            if !panel.isEmpty { panels.append(panel) }
        }
        guard !panels.isEmpty else { return nil }
        return GnuplotFigure(name: "\(results.experiment.file.table)-\(profile.rawValue)-accuracy",
                             title: "\(results.experiment.file.title): test accuracy per epoch (profile \(profile.rawValue))",
                             panels: panels, columns: panels.count == 1 ? 1 : 2)
    }

    /// The accuracy cell: the summary, "data missing" for a row without runs whose data is not
    /// under the data root (the list under the table says where to put it), else "—".
    static func measured(_ summary: SampleSummary?, _ run: ExperimentRun?, _ results: TableResults) -> String {
        if summary == nil, let run, results.missingData[run.row] != nil { return "data missing" }
        return ReportFormat.accuracy(summary)
    }

    private static func completed(_ results: TableResults, _ row: String, _ profile: Profile?) -> [RunRecord] {
        profile.map { results.completed(row, $0) } ?? []
    }

    /// "3/5": completed runs of the expected seeds.
    static func count(_ completed: [RunRecord], _ run: ExperimentRun?, _ results: TableResults, _ profile: Profile?) -> String {
        guard let run, let profile, let expected = results.experiment.run(run.row, profile: profile)?.seeds.count else {
            return ReportFormat.dash
        }
        return "\(completed.count)/\(expected)"
    }

    /// The data the runs actually read: "mnist 5000/1000".
    static func dataUsed(_ records: [RunRecord], fallback run: ExperimentRun) -> String {
        let used = records.map { record in
            let p = record.provenance
            let order = record.evaluatedAPartInFileOrder ? " (file order ‡)" : ""
            return "\(p.datasetUsed) \(p.trainSamples)/\(p.testSamples)\(order)"
        }
        let distinct = used.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return distinct.isEmpty ? run.dataset.rawValue : distinct.joined(separator: "; ")
    }

    /// The configured epochs of the runs ("100", or "1/3" when they differ).
    static func epochs(_ records: [RunRecord]) -> String {
        let values = records.compactMap { $0.integerSetting("epochs") }
        let distinct = values.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        return distinct.isEmpty ? ReportFormat.dash : distinct.map(String.init).joined(separator: "/")
    }
}

extension RunRecord {
    /// Whether the run (written before selections were stratified) evaluated only the first test
    /// samples in file order: it set a test subset or cap and evaluated fewer than 10,000 samples,
    /// the largest test split here (so not the whole split).
    var evaluatedAPartInFileOrder: Bool {
        provenance.testSelection.rule == .fileOrder && provenance.testSamples < 10_000
            && (setting("test_subset") != nil || setting("test_batches") != nil)
    }
}
