/// Per table and probed profile: what each row's runs take on the machine that probed them
/// (`ProtocolEstimate`), beside the CPU-hours its result files at that profile spent. One run is
/// epochs × the probe's seconds per epoch; every seed runs them one after another at the probe's
/// threads (CPU-hours: that × threads); on a cluster with one node like the probing machine per
/// run (`--scheduler slurm`), the profile takes as long as its longest run.
struct ProtocolCost {
    let results: TableResults

    init(_ results: TableResults) {
        self.results = results
    }

    /// nil when the table has no estimate file.
    var markdown: String? {
        let blocks = results.estimates.compactMap(block)
        return blocks.isEmpty ? nil : blocks.joined(separator: "\n")
    }

    private func block(_ estimate: ProtocolEstimate) -> String? {
        guard let profile = Profile(rawValue: estimate.profile) else { return nil }
        var table = MarkdownTable(["row", "method", "seeds", "epochs × batches", "s / iteration", "one run (h)",
                                   "every seed here (h)", "every seed (CPU-h)", "spent (CPU-h)"],
                                  numericColumns: [2, 4, 5, 6, 7, 8])
        var longest: (row: String, seconds: Double)?
        for line in estimate.rows {
            guard let run = results.experiment.run(line.row, profile: profile) else { continue }
            let spent = results.records(line.row, profile).map(\.coreSeconds).reduce(0, +)
            let allSeeds = line.secondsPerRun * Double(line.seeds)
            table.append([run.label, run.training.method.displayName, "\(line.seeds)",
                          "\(line.epochs) × \(line.batchesPerEpoch)", ReportFormat.fixed(line.secondsPerIteration, 2),
                          ReportFormat.fixed(line.secondsPerRun / 3600, 2), ReportFormat.fixed(allSeeds / 3600, 1),
                          ReportFormat.fixed(allSeeds * Double(estimate.threads) / 3600, 1),
                          ReportFormat.fixed(spent / 3600, 2)])
            if line.secondsPerRun > longest?.seconds ?? -1 { longest = (line.row, line.secondsPerRun) }
        }
        guard !table.rows.isEmpty, let longest else { return nil }
        let date = estimate.measured.prefix(10)
        return "**What profile `\(estimate.profile)` takes here** (a probe of \(estimate.probeIterations) training "
            + "iterations per row after one warm-up, \(date), revision \(estimate.gitRevision.prefix(7)), "
            + "\(estimate.cpu), \(estimate.threads) thread(s), OpenBLAS `\(estimate.blasCore)`; "
            + "`fsnn run \(results.displayPath) --profile \(estimate.profile) --dry-run --save-estimate`). "
            + "Spent: the CPU-hours of the row's result files at this profile.\n\n" + table.markdown
            + "\nOn a cluster with one node like this one per run (`--scheduler slurm`), the profile takes its "
            + "longest run: \(ReportFormat.fixed(longest.seconds / 3600, 1)) h (`\(longest.row)`).\n"
    }
}
