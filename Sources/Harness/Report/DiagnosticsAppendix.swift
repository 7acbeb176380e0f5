/// Appendix B: what the result files hold per epoch, per row and profile, mean over completed
/// seeds — learning rate, training loss and accuracy, test accuracy, the adjoint solver's
/// iterations and final relative residual (IDE), the test firing rate and the seconds per epoch —
/// at a selection of epochs (all of them up to 12; else the first two, each milestone and the
/// epoch after it, every tenth of the run and the last). Each row folds into a `<details>` block;
/// a row whose runs at a profile are another file's row's is shown there, under that file's table.
enum DiagnosticsAppendix {
    static func markdown(_ tables: [TableResults]) -> String {
        var text = ""
        for results in tables {
            for profile in results.profiles {
                for row in results.experiment.file.rows.map(\.id) where results.sameRun(row, profile) == nil {
                    let records = results.completed(row, profile).filter { !$0.epochs.isEmpty }
                    guard !records.isEmpty else { continue }
                    text += block(records, row: row, table: results.experiment.file.table, profile: profile,
                                  milestones: results.experiment.run(row, profile: profile)?.training.milestones ?? [])
                }
            }
        }
        return text.isEmpty ? "No completed run yet.\n" : text
    }

    private static func block(_ records: [RunRecord], row: String, table: String, profile: Profile, milestones: [Int]) -> String {
        let epochs = records.map(\.epochs.count).min()!
        var epochsTable = MarkdownTable(["epoch", "lr", "train loss", "train acc.", "test acc.", "solver it.", "residual mean",
                                   "residual max", "firing rate", "s / epoch"], numericColumns: Set(0..<10))
        for epoch in shownEpochs(epochs, milestones: milestones) {
            let summaries = records.map { $0.epochs[epoch - 1] }
            func mean(_ value: (EpochSummary) -> Double) -> Double {
                let values = summaries.map(value).filter(\.isFinite)
                return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
            }
            func cell(_ value: Double, _ format: (Double) -> String) -> String { value.isFinite ? format(value) : ReportFormat.dash }
            epochsTable.append([
                "\(epoch)", cell(mean(\.learningRate), ReportFormat.scientific), cell(mean(\.trainLoss)) { ReportFormat.fixed($0, 4) },
                cell(mean(\.trainAccuracy)) { ReportFormat.fixed($0, 2) }, cell(mean(\.testAccuracy)) { ReportFormat.fixed($0, 2) },
                cell(mean(\.solverIterations)) { ReportFormat.fixed($0, 1) }, cell(mean(\.solverResidualMean), ReportFormat.scientific),
                cell(mean(\.solverResidualMax), ReportFormat.scientific), cell(mean(\.firingRate), ReportFormat.percent),
                cell(mean(\.seconds)) { ReportFormat.fixed($0, 1) },
            ])
        }
        let seeds = records.map { "\($0.seed)" }.joined(separator: ", ")
        return "<details><summary>\(table) · <code>\(row)</code> · profile <code>\(profile.rawValue)</code> · "
            + "seeds \(seeds)</summary>\n\n" + epochsTable.markdown + "\n</details>\n\n"
    }

    /// The epochs (1-based) a block shows.
    static func shownEpochs(_ count: Int, milestones: [Int]) -> [Int] {
        guard count > 12 else { return Array(1...count) }
        let tenth = max(1, count / 10)
        var shown: Set<Int> = [1, 2, count]
        for m in milestones where m < count { shown.formUnion([m, m + 1]) }
        for e in stride(from: tenth, through: count, by: tenth) { shown.insert(e) }
        return shown.filter { (1...count).contains($0) }.sorted()
    }
}
