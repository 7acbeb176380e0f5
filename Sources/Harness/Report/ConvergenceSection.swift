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
                var panel = GnuplotFigure.Panel(xLabel: "simulation step t", yLabel: "‖f(a[t]) − a[t]‖ / ‖a[t]‖",
                                                logX: true, logY: true)
                for (color, run) in runs.filter({ network($0) == name }).enumerated() {
                    let records = profile.map { results.completed(run.row, $0) } ?? []
                    let method = run.training.method.rawValue.uppercased()
                    // The untrained trace of an STBP twin repeats its IDE row's (same seed, same init).
                    let traces = run.training.method == .ide || run.twin == nil ? ["untrained", "trained"] : ["trained"]
                    for trace in traces {
                        let mean = meanTrace(records, trace)
                        table.append([run.label, method, trace, profile?.rawValue ?? ReportFormat.dash] + steps.map { t in
                            mean.flatMap { $0[safe: t - 1] }.map(ReportFormat.scientific) ?? ReportFormat.dash
                        })
                        guard let mean else { continue }
                        let title = "\(run.label) · \(method) · \(trace)"
                        let points = mean.enumerated().map { (x: Double($0.offset + 1), y: $0.element) }
                        if let std = meanStd(records, trace), std.count >= mean.count {
                            panel.bands.append(.init(title: "± std", points: points.enumerated().map { t, point in
                                (point.x, max(point.y - std[t], point.y * 1e-3), point.y + std[t])
                            }, color: color))
                        }
                        panel.series.append(.init(title: title, points: points,
                                                  dash: trace == "untrained" ? .dotted : run.training.method == .ide ? .solid : .dashed,
                                                  color: color))
                    }
                }
                if !panel.isEmpty {
                    figures.append(.figure(GnuplotFigure(
                        name: "\(results.experiment.file.table)-\(profile?.rawValue ?? "none")-\(slug(name))",
                        title: "\(name) (profile \(profile?.rawValue ?? "—"))", panel: panel)))
                }
            }
        }
        let caption = "Residual of the average firing rate a[t] at step t, mean over completed seeds of each run's "
            + "mean over test samples; \"untrained\" is at initialisation, \"trained\" after the last epoch. In the "
            + "figures each row has its colour, untrained traces are dotted, trained IDE solid and trained STBP dashed; "
            + "the shaded band is ± the standard deviation across the test batches a trace averages (none for one "
            + "batch).\n\n"
        return [.text(caption + table.markdown)] + figures
    }

    /// The element-wise mean over runs of a named trace, truncated to the shortest; nil if no run has it.
    static func meanTrace(_ records: [RunRecord], _ name: String) -> [Double]? {
        let traces = records.compactMap { $0.convergence.first { $0.name == name }?.residualMean }
        guard let length = traces.map(\.count).min(), length > 0 else { return nil }
        return (0..<length).map { t in traces.reduce(0) { $0 + $1[t] } / Double(traces.count) }
    }

    /// The element-wise mean over runs of a named trace's std across test batches, when every
    /// run has one (a trace of one batch has none).
    private static func meanStd(_ records: [RunRecord], _ name: String) -> [Double]? {
        let stds = records.compactMap { $0.convergence.first { $0.name == name }?.residualStd }
        guard let length = stds.map(\.count).min(), length > 0, stds.count == records.count else { return nil }
        let mean = (0..<length).map { t in stds.reduce(0) { $0 + $1[t] } / Double(stds.count) }
        return mean.allSatisfy(\.isFinite) ? mean : nil
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
