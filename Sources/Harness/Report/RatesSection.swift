/// Table 5: per-layer firing rates and synaptic operations of trained models, per network.
enum RatesSection {
    static func blocks(_ results: TableResults) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        let runs = results.experiment.runs(.paper)
        var networks: [String] = []
        for run in runs where !networks.contains(network(run)) { networks.append(network(run)) }
        let profiles = results.lineProfiles
        for name in networks {
            let members = runs.filter { network($0) == name }
            let layers = members.lazy.compactMap { run in
                results.records[run.row]?.first { $0.status == .complete && $0.rates != nil }?.layerNames
            }.first ?? []
            var table = MarkdownTable(["row", "method", "profile"] + layers.map { "\($0) rate" }
                + ["all layers", "all layers ÷ 5 (B4)", "SOPs / sample", "test acc. (best)", "n"],
                numericColumns: Set(3..<(layers.count + 8)))
            for run in members {
                for profile in profiles {
                    let measured = profile.map { results.completed(run.row, $0).filter { $0.rates != nil } } ?? []
                    var cells = layers.indices.map { index in
                        SampleSummary(measured.compactMap { $0.rates?.rates[safe: index].map { trueRate($0, run) } })
                            .map { ReportFormat.percent($0.mean) } ?? ReportFormat.dash
                    }
                    let overall = SampleSummary(measured.compactMap { $0.rates.map { trueRate($0.overallRate, run) } })
                    cells.append(overall.map { ReportFormat.percent($0.mean) } ?? ReportFormat.dash)
                    cells.append(overall.map { ReportFormat.percent($0.mean / 5) } ?? ReportFormat.dash)
                    cells.append(SampleSummary(measured.compactMap { $0.rates?.totalSynapticOperations }).map { ReportFormat.count($0.mean) } ?? ReportFormat.dash)
                    cells.append(ReportFormat.accuracy(SampleSummary(measured.compactMap(\.bestAccuracy))))
                    cells.append(AccuracySection.count(measured, run, results, profile))
                    table.append([run.label, run.training.method.rawValue.uppercased(), profile?.rawValue ?? ReportFormat.dash] + cells)
                }
            }
            blocks.append(.text("**\(name)**\n\n" + table.markdown))
        }
        for case let profile? in profiles {
            if let figure = barsFigure(results, networks: networks, profile: profile) { blocks.append(.figure(figure)) }
        }
        let caption = "Rates are spikes / (neurons × T × samples) on the test set with dropout off, mean over completed "
            + "seeds; \"all layers\" pools every hidden neuron, and \"÷ 5 (B4)\" is that rate as the reference's rate "
            + "script prints it (it divides by 5 × the sample count, quirk B4 `rate_stats_div5`, spec §9.4): the paper's "
            + "Table 5 may quote either. SOPs are synaptic operations per sample.\n"
        return [.text(caption)] + blocks
    }

    /// Per-layer test firing rates (percent) as grouped bars, one panel per network, one bar per
    /// row (IDE-IF, IDE-LIF, STBP-LIF) in each layer; mean over completed seeds.
    static func barsFigure(_ results: TableResults, networks: [String], profile: Profile) -> GnuplotFigure? {
        let runs = results.experiment.runs(.paper)
        var panels: [GnuplotFigure.Panel] = []
        for name in networks {
            var panel = GnuplotFigure.Panel(title: name, xLabel: "layer", yLabel: "firing rate (%)")
            for (color, run) in runs.filter({ network($0) == name }).enumerated() {
                let measured = results.completed(run.row, profile).compactMap(\.rates)
                guard let layers = results.completed(run.row, profile).first(where: { $0.rates != nil })?.layerNames
                else { continue }
                if panel.categories.isEmpty { panel.categories = layers }
                let means = layers.indices.map { index in
                    SampleSummary(measured.compactMap { $0.rates[safe: index].map { trueRate($0, run) } })
                        .map { 100 * $0.mean } ?? .nan
                }
                let neuron = run.training.neuron == .integrateAndFire ? "IF" : "LIF"
                panel.bars.append(.init(title: "\(run.training.method.rawValue.uppercased())-\(neuron)", values: means,
                                        color: color))
            }
            if !panel.isEmpty { panels.append(panel) }
        }
        guard !panels.isEmpty else { return nil }
        return GnuplotFigure(name: "\(results.experiment.file.table)-\(profile.rawValue)-rates",
                             title: "\(results.experiment.file.title): per-layer test firing rates (profile \(profile.rawValue))",
                             panels: panels, columns: panels.count == 1 ? 1 : min(panels.count, 3))
    }

    /// A recorded rate undone from quirk B4 when the row had it: the true spikes / (neurons × T × samples).
    static func trueRate(_ recorded: Double, _ run: ExperimentRun) -> Double {
        run.training.quirks.contains(.rateStatsDiv5) ? 5 * recorded : recorded
    }

    static func network(_ run: ExperimentRun) -> String {
        "\(run.dataset.rawValue) · \(run.training.model.rawValue) · T=\(run.training.timeSteps)"
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
