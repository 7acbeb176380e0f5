/// Table 4: peak training memory by T, IDE against STBP, per network.
enum MemorySection {
    /// Rows of one network (dataset · model · neuron) and method, by T.
    private struct Line {
        var network: String
        var method: String
        var runs: [Int: ExperimentRun] = [:]
    }

    static func blocks(_ results: TableResults) -> [ReportBlock] {
        let lines = groupedLines(results.experiment)
        let steps = Array(Set(results.experiment.runs(.paper).map(\.training.timeSteps))).sorted()
        var table = MarkdownTable(["network", "method", "profile"] + steps.map { "T=\($0)" },
                                  numericColumns: Set(3..<(3 + steps.count)))
        var blocks: [ReportBlock] = []
        for profile in results.lineProfiles {
            var figure = GnuplotFigure(
                name: "\(results.experiment.file.table)-\(profile?.rawValue ?? "none")-memory",
                title: "\(results.experiment.file.title) (profile \(profile?.rawValue ?? "—"))",
                xLabel: "time steps T", yLabel: "peak tensor memory per training iteration (MiB)", logX: true)
            for line in lines {
                var cells: [String] = []
                var peaks: [(x: Double, y: Double)] = [], transients: [(x: Double, y: Double)] = []
                for t in steps {
                    guard let run = line.runs[t], let profile,
                          let peak = SampleSummary(results.completed(run.row, profile).compactMap { steadyMaximum($0.memory.peakBytes) }),
                          let transient = SampleSummary(results.completed(run.row, profile).compactMap { steadyMaximum($0.memory.transientBytes) })
                    else {
                        cells.append(ReportFormat.dash)
                        continue
                    }
                    cells.append("\(ReportFormat.mebibytes(peak.mean)) / \(ReportFormat.mebibytes(transient.mean))")
                    peaks.append((Double(t), peak.mean / 1_048_576))
                    transients.append((Double(t), transient.mean / 1_048_576))
                }
                table.append([line.network, line.method, profile?.rawValue ?? ReportFormat.dash] + cells)
                if !peaks.isEmpty {
                    figure.series.append(.init(title: "\(line.network) · \(line.method) · peak", points: peaks))
                    figure.series.append(.init(title: "\(line.network) · \(line.method) · transient", points: transients, dashed: true))
                }
            }
            if !figure.series.isEmpty { blocks.append(.figure(figure)) }
        }
        let caption = "Cells: peak / transient MiB — the largest live tensor memory of a training iteration, and that "
            + "peak minus what was alive when the iteration began (mean over completed seeds of each run's maximum "
            + "over its iterations after the first, which also allocates the workspaces kept for later batches).\n\n"
        return [.text(caption + table.markdown)] + blocks
    }

    /// The largest value after the first iteration (the steady state), or the only one.
    private static func steadyMaximum(_ bytes: [Int]) -> Double? {
        (bytes.dropFirst().max() ?? bytes.first).map(Double.init)
    }

    private static func groupedLines(_ experiment: Experiment) -> [Line] {
        var lines: [Line] = []
        for run in experiment.runs(.paper) {
            let neuron = run.training.neuron == .integrateAndFire ? "IF" : "LIF λ=\(run.training.neuron.lambda.decimal)"
            let network = "\(run.dataset.rawValue) · \(run.training.model.rawValue) · \(neuron)"
            let method = run.training.method.rawValue.uppercased()
            if let index = lines.firstIndex(where: { $0.network == network && $0.method == method }) {
                lines[index].runs[run.training.timeSteps] = run
            } else {
                lines.append(Line(network: network, method: method, runs: [run.training.timeSteps: run]))
            }
        }
        return lines
    }
}
