/// The convergence figure: the relative residual ‖f(a[t]) − a[t]‖ / ‖a[t]‖ of the average firing
/// rate against t, before and after training.
enum ConvergenceSection {
    /// Steps shown in the table (those within the traces).
    static let tableSteps = [1, 5, 10, 30, 100, 300]

    static func blocks(_ results: TableResults) -> [ReportBlock] {
        let runs = results.experiment.runs(.paper)
        var networks: [String] = []
        for run in runs where !networks.contains(network(run)) { networks.append(network(run)) }
        let longest = runs.compactMap { $0.convergence?.steps }.max() ?? 0
        let steps = tableSteps.filter { $0 <= max(longest, 1) }
        var table = MarkdownTable(["row", "method", "trace", "profile", "seeds"] + steps.map { "t=\($0)" },
                                  numericColumns: Set(4..<(5 + steps.count)))
        var figures: [ReportBlock] = []
        var bands: Set<String> = []
        var notRun: [String] = []
        for profile in results.profiles {
            for name in networks {
                var panel = GnuplotFigure.Panel(xLabel: "simulation step t", yLabel: "‖f(a[t]) − a[t]‖ / ‖a[t]‖",
                                                logX: true, logY: true)
                for (color, run) in runs.filter({ network($0) == name }).enumerated() {
                    let records = results.completed(run.row, profile)
                    guard !records.isEmpty else {
                        notRun.append("`\(run.row)` (\(profile.rawValue))" + results.sameRunLabel(run.row, profile))
                        continue
                    }
                    let method = run.training.method.displayName
                    // The untrained trace of a twin repeats its primary row's (same seed, same init).
                    let traces = run.twin == nil ? ["untrained", "trained"] : ["trained"]
                    for trace in traces {
                        let curves = SeedCurves(records.compactMap { $0.convergence.first { $0.name == trace }?.residualMean },
                                                x: { Double($0 + 1) })
                        table.append([run.label + results.sameRunLabel(run.row, profile), method, trace, profile.rawValue,
                                      "\(curves?.runs ?? 0)"] + steps.map { t in
                            curves?.steps[safe: t - 1].map { ReportFormat.scientific($0.mean) } ?? ReportFormat.dash
                        })
                        guard let curves else { continue }
                        if let range = curves.range {
                            panel.bands.append(.init(title: "min–max over \(curves.runs) seeds", points: range, color: color))
                            bands.insert("The shaded band is the min–max over seeds")
                        } else if let std = records.first?.convergence.first(where: { $0.name == trace })?.residualStd,
                                  std.count >= curves.steps.count, std.allSatisfy(\.isFinite) {
                            panel.bands.append(.init(title: "± std over test batches", points: curves.steps.enumerated().map { t, step in
                                (step.x, max(step.mean - std[t], step.mean * 1e-3), step.mean + std[t])
                            }, color: color))
                            bands.insert("With one seed, the shaded band is ± the standard deviation across the test batches the trace averages")
                        }
                        panel.series.append(.init(title: "\(run.label) · \(method) · \(trace)", points: curves.mean,
                                                  dash: trace == "untrained" ? .dotted : run.twin == nil ? .solid : .dashed,
                                                  color: color))
                    }
                }
                if !panel.isEmpty {
                    figures.append(.figure(GnuplotFigure(
                        name: "\(results.experiment.file.table)-\(profile.rawValue)-\(slug(name))",
                        title: "\(name) (profile \(profile.rawValue))", panel: panel)))
                }
            }
        }
        var caption = """
            - Plotted: the relative residual ‖f(a[t]) − a[t]‖ / ‖a[t]‖ of the average firing rate a[t] at step t, \
            norms over a whole test batch (the paper plots the residual itself, spec §9.5); mean over completed seeds \
            of each run's mean over its traced test batches.
            - "Untrained" is at initialisation, "trained" after the last epoch. Each row has its colour; untrained \
            traces are dotted, trained primary rows solid and their twins dashed.

            """
        caption = caption.replacingOccurrences(of: "\n\n", with: "\n") + "- "
            + (bands.isEmpty ? "No band is drawn (one seed and one traced batch)." : bands.sorted().joined(separator: "; ") + ".")
            + "\n\n"
        var text = caption + (table.rows.isEmpty ? "" : table.markdown)
        if !notRun.isEmpty { text += "\nNot run: \(notRun.joined(separator: ", ")).\n" }
        return [.text(text)] + figures
    }

    /// The element-wise mean over runs of a named trace, truncated to the shortest; nil if no run has it.
    static func meanTrace(_ records: [RunRecord], _ name: String) -> [Double]? {
        let traces = records.compactMap { $0.convergence.first { $0.name == name }?.residualMean }
        guard let length = traces.map(\.count).min(), length > 0 else { return nil }
        return (0..<length).map { t in traces.reduce(0) { $0 + $1[t] } / Double(traces.count) }
    }

    static func network(_ run: ExperimentRun) -> String {
        "\(run.dataset.rawValue) · \(run.training.model.rawValue)"
    }

    /// "fashion-mnist · fmnist_f400" → "fashion-mnist-fmnist-f400"
    static func slug(_ text: String) -> String {
        let mapped = text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? String($0) : "-" }.joined()
        return mapped.split(separator: "-").joined(separator: "-")
    }
}
