/// Tables 1–3: test accuracy per row and gradient method. The body shows the runs at the paper's
/// protocol against the paper's numbers; the appendix every other profile and the data subsets,
/// with no comparison to the paper.
enum AccuracySection {
    /// The rows at the paper's protocol, the paper's numbers beside them, and their learning curves.
    static func paperBlocks(_ results: TableResults) -> [ReportBlock] {
        var table = MarkdownTable(["row", "method", "seeds"] + AccuracyStatistic.allCases.map(\.name)
            + ["paper", "Δ best (paper std)", "Δ last (paper std)", "reading", "CPU-h"], numericColumns: [2, 3, 4, 5, 6, 7, 8, 10])
        var empty: [String] = []
        for group in TwinGroup.groups(in: results.experiment) {
            for member in group.members {
                let runs = RowRuns(results, row: member.row, profile: .paper, classes: [.paper])
                guard !runs.completed.isEmpty else {
                    empty.append(member.row)
                    continue
                }
                let paper = member.training.method == .ide ? group.primary.paper : nil
                let comparisons = [AccuracyStatistic.best, .last].map { statistic in
                    paper.flatMap { p in runs.summary(statistic).map { PaperComparison(ours: $0, paper: p) } }
                }
                let reading = zip(["best", "last"], comparisons).compactMap { name, comparison in
                    comparison.map { "\(name): \($0.readingText)" }
                }
                table.append([member.label, member.training.method.displayName, runs.seedsCell]
                             + AccuracyStatistic.allCases.map(runs.cell)
                             + [paper.map(ReportFormat.paper) ?? ReportFormat.dash]
                             + comparisons.map { $0?.differenceText ?? ReportFormat.dash }
                             + [reading.isEmpty ? (paper == nil ? "no paper number" : ReportFormat.dash)
                                : reading.joined(separator: "; "), runs.cpuHoursCell])
                let reference = RowRuns.reference(results, row: member.row, profile: .paper, classes: [.paper])
                if !reference.completed.isEmpty {
                    let released = [AccuracyStatistic.best, .last].map { statistic in
                        paper.flatMap { p in reference.summary(statistic).map { PaperComparison(ours: $0, paper: p) } }
                    }
                    table.append([member.label, "IDE (released code)", "\(reference.completed.count)"]
                                 + AccuracyStatistic.allCases.map(reference.cell)
                                 + [paper.map(ReportFormat.paper) ?? ReportFormat.dash]
                                 + released.map { $0?.differenceText ?? ReportFormat.dash }
                                 + [zip(["best", "last"], released).compactMap { name, c in c.map { "\(name): \($0.readingText)" } }
                                     .joined(separator: "; "), reference.cpuHoursCell])
                }
            }
        }
        guard !table.rows.isEmpty else {
            return [.text("No row of this table has a completed run at the paper's protocol (profile `paper` on the "
                + "dataset's whole published splits); what ran is in Appendix A.\n")]
        }
        var text = table.markdown
        if !empty.isEmpty {
            text += "\nNot run at the paper's protocol: \(empty.map { "`\($0)`" }.joined(separator: ", ")).\n"
        }
        if let reference = referenceBlock(results) { text += "\n" + reference }
        let figure = curvesFigure(results, profile: .paper, classes: [.paper], paperBand: true)
        return [.text(text)] + (figure.map { [.figure($0)] } ?? [])
    }

    /// Every other profile and the data subsets: one table per profile with results, without
    /// the paper's numbers, and each profile's learning curves.
    static func appendixBlocks(_ results: TableResults) -> [ReportBlock] {
        let reduced = Set(RunProtocol.allCases).subtracting([.paper])
        var blocks: [ReportBlock] = []
        for profile in results.profiles {
            var table = MarkdownTable(["row", "method", "data (train/test)", "conditions", "epochs", "seeds"]
                + AccuracyStatistic.allCases.map(\.name) + ["train, last epoch", "CPU-h"], numericColumns: [4, 5, 6, 7, 8, 9, 10])
            var empty: [String] = []
            for group in TwinGroup.groups(in: results.experiment) {
                for member in group.members {
                    let runs = RowRuns(results, row: member.row, profile: profile, classes: reduced)
                    guard !runs.records.isEmpty else {
                        if results.completed(member.row, profile).isEmpty { empty.append(member.row) }
                        continue
                    }
                    table.append([label(member), member.training.method.displayName, runs.dataCell,
                                  runs.runProtocol?.name ?? ReportFormat.dash, runs.epochsCell, runs.seedsCell]
                                 + AccuracyStatistic.allCases.map(runs.cell) + [runs.lastTrainingAccuracyCell, runs.cpuHoursCell])
                }
            }
            guard !table.rows.isEmpty else { continue }
            var text = "**Profile `\(profile.rawValue)`**\n\n" + table.markdown
            if !empty.isEmpty {
                text += "\nNot run at `\(profile.rawValue)`: \(empty.map { "`\($0)`" }.joined(separator: ", ")).\n"
            }
            blocks.append(.text(text))
            if let figure = curvesFigure(results, profile: profile, classes: reduced, paperBand: false) {
                blocks.append(.figure(figure))
            }
        }
        return blocks
    }

    /// The row's label with its data note ("… (CIFAR-10 subset: …)").
    private static func label(_ run: ExperimentRun) -> String {
        run.dataNote.map { "\(run.label) (\($0))" } ?? run.label
    }

    /// Test accuracy per epoch of one profile: a panel per twin group whose trained runs have at
    /// least two epochs, one line per method (mean over seeds, the seeds' min–max shaded), the
    /// learning-rate milestones as dotted vertical lines, and with `paperBand` the paper's
    /// mean ± std as a band. Every panel shares the y axis. Nil when no group has such runs: a
    /// single epoch is a table row, not a curve.
    static func curvesFigure(_ results: TableResults, profile: Profile, classes: Set<RunProtocol>,
                             paperBand: Bool) -> GnuplotFigure? {
        var panels: [GnuplotFigure.Panel] = []
        for group in TwinGroup.groups(in: results.experiment) {
            var panel = GnuplotFigure.Panel(title: group.primary.label, xLabel: "epoch", yLabel: "test accuracy (%)",
                                            yLimits: 0...100)
            var longest = 0
            for (color, member) in group.members.enumerated() {
                let runs = RowRuns(results, row: member.row, profile: profile, classes: classes)
                guard let curves = SeedCurves(runs.trained.map { $0.epochs.map(\.testAccuracy) }, x: { Double($0 + 1) }),
                      curves.steps.count >= 2 else { continue }
                longest = max(longest, curves.steps.count)
                let method = member.training.method.displayName
                if let range = curves.range {
                    panel.bands.append(.init(title: "\(method) min–max over \(curves.runs) seeds", points: range, color: color))
                }
                panel.series.append(.init(title: "\(method) (\(curves.runs == 1 ? "1 seed" : "mean of \(curves.runs) seeds"))",
                                          points: curves.mean, dash: color == 0 ? .solid : .dashed, color: color))
                if panel.verticalLines.isEmpty, let milestones = runs.run?.training.milestones {
                    panel.verticalLines = milestones.map { Double($0) + 0.5 }
                }
            }
            guard !panel.isEmpty else { continue }
            panel.verticalLines.removeAll { $0 > Double(longest) }
            if paperBand, let paper = group.primary.paper, let std = paper.std {
                panel.bands.insert(.init(title: "paper (IDE) mean ± std", points: [
                    (1, paper.mean - std, paper.mean + std), (Double(longest), paper.mean - std, paper.mean + std),
                ], color: 7), at: 0)
            }
            panels.append(panel)
        }
        guard !panels.isEmpty else { return nil }
        return GnuplotFigure(name: "\(results.experiment.file.table)-\(profile.rawValue)-accuracy",
                             title: "\(results.experiment.file.title): test accuracy per epoch (profile \(profile.rawValue))",
                             panels: panels, columns: panels.count == 1 ? 1 : 2, sharedYAxis: true)
    }
}
