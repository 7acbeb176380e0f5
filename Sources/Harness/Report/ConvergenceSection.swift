/// The convergence figure: residual ‖f(a[t]) − a[t]‖ / ‖a[t]‖ against t, before and after training.
enum ConvergenceSection {
    /// Steps shown in the table (those within the traces).
    static let tableSteps = [1, 5, 10, 30, 100, 300]

    static func blocks(_ results: TableResults) -> [ReportBlock] {
        let runs = results.experiment.runs(.paper)
        var networks: [String] = []
        for run in runs where !networks.contains(network(run)) { networks.append(network(run)) }
        let longest = runs.compactMap { $0.convergence?.steps }.max() ?? 0
        let steps = tableSteps.filter { $0 <= max(longest, 1) }
        var table = MarkdownTable(["row", "method", "trace", "profile"] + steps.map { "t=\($0)" },
                                  numericColumns: Set(4..<(4 + steps.count)))
        var figures: [ReportBlock] = []
        for profile in results.lineProfiles {
            for name in networks {
                var figure = GnuplotFigure(
                    name: "\(results.experiment.file.table)-\(profile?.rawValue ?? "none")-\(slug(name))",
                    title: "\(name) (profile \(profile?.rawValue ?? "—"))", xLabel: "simulation step t",
                    yLabel: "‖f(a[t]) − a[t]‖ / ‖a[t]‖", logX: true, logY: true)
                for run in runs where network(run) == name {
                    let records = profile.map { results.completed(run.row, $0) } ?? []
                    let method = run.training.method.rawValue.uppercased()
                    // The untrained trace of an STBP twin repeats its IDE row's (same seed, same init).
                    let traces = run.training.method == .ide || run.twin == nil ? ["untrained", "trained"] : ["trained"]
                    for trace in traces {
                        let mean = meanTrace(records, trace)
                        table.append([run.label, method, trace, profile?.rawValue ?? ReportFormat.dash] + steps.map { t in
                            mean.flatMap { $0[safe: t - 1] }.map(ReportFormat.scientific) ?? ReportFormat.dash
                        })
                        if let mean {
                            figure.series.append(.init(
                                title: "\(run.label) · \(method) · \(trace)",
                                points: mean.enumerated().map { (Double($0.offset + 1), $0.element) },
                                dashed: trace == "untrained"))
                        }
                    }
                }
                if !figure.series.isEmpty { figures.append(.figure(figure)) }
            }
        }
        let caption = "Residual of the average firing rate a[t] at step t, mean over completed seeds of each run's "
            + "mean over test samples; \"untrained\" is at initialisation, \"trained\" after the last epoch.\n\n"
        return [.text(caption + table.markdown)] + figures
    }

    /// The element-wise mean over runs of a named trace, truncated to the shortest; nil if no run has it.
    private static func meanTrace(_ records: [RunRecord], _ name: String) -> [Double]? {
        let traces = records.compactMap { $0.convergence.first { $0.name == name }?.residualMean }
        guard let length = traces.map(\.count).min(), length > 0 else { return nil }
        return (0..<length).map { t in traces.reduce(0) { $0 + $1[t] } / Double(traces.count) }
    }

    private static func network(_ run: ExperimentRun) -> String {
        "\(run.dataset.rawValue) · \(run.training.model.rawValue)"
    }

    /// "fashion-mnist · fmnist_f400" → "fashion-mnist-fmnist-f400"
    static func slug(_ text: String) -> String {
        let mapped = text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? String($0) : "-" }.joined()
        return mapped.split(separator: "-").joined(separator: "-")
    }
}
