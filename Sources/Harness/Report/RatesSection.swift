/// Table 5: per-layer firing rates, synaptic operations and the energy estimate of trained
/// models, per network. Rows on a network the paper's table did not use are marked as
/// substitutes.
enum RatesSection {
    static func blocks(_ results: TableResults) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        let runs = results.experiment.runs(.paper)
        let networks = runs.map(network).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for profile in results.profiles {
            var empty: [String] = []
            for name in networks {
                let members = runs.filter { network($0) == name }
                let layers = members.lazy.compactMap { run in
                    results.completed(run.row, profile).first { $0.rates != nil }?.layerNames
                }.first ?? []
                var table = MarkdownTable(["row", "method"] + layers.map { "\($0) rate" }
                    + ["all layers", "all ÷ 5 (B4)", "SynOps / sample", "E_SNN / E_ANN (µJ)", "test acc. (best)", "seeds"],
                    numericColumns: Set(2..<(layers.count + 8)))
                for run in members {
                    let measured = results.completed(run.row, profile).filter { $0.rates != nil }
                    guard !measured.isEmpty else {
                        empty.append("`\(run.row)`" + results.sameRunLabel(run.row, profile))
                        continue
                    }
                    var cells = layers.indices.map { index in
                        SampleSummary(measured.compactMap { $0.rates?.rates[safe: index].map { trueRate($0, run) } })
                            .map { ReportFormat.percent($0.mean) } ?? ReportFormat.dash
                    }
                    let overall = SampleSummary(measured.compactMap { $0.rates.map { trueRate($0.overallRate, run) } })
                    cells.append(overall.map { ReportFormat.percent($0.mean) + spread($0) } ?? ReportFormat.dash)
                    cells.append(overall.map { ReportFormat.percent($0.mean / 5) } ?? ReportFormat.dash)
                    let operations = SampleSummary(measured.compactMap { $0.rates?.totalSynapticOperations })
                    cells.append(operations.map { ReportFormat.count($0.mean) } ?? ReportFormat.dash)
                    cells.append(energyCell(operations?.mean, run: run))
                    cells.append(ReportFormat.meanAndSpread(SampleSummary(measured.compactMap { $0.accuracy(.best) })))
                    cells.append("\(measured.count)/\(results.experiment.run(run.row, profile: profile)?.seeds.count ?? 0)")
                    table.append([label(run, results, profile), run.training.method.displayName] + cells)
                }
                guard !table.rows.isEmpty else { continue }
                blocks.append(.text("**\(name)** (profile `\(profile.rawValue)`)\n\n" + table.markdown))
            }
            if !empty.isEmpty {
                blocks.append(.text("Not run at `\(profile.rawValue)`: \(empty.joined(separator: ", ")).\n"))
            }
            if let figure = barsFigure(results, networks: networks, profile: profile) { blocks.append(.figure(figure)) }
        }
        let caption = """
            - Rates: spikes / (neurons × T × samples) on the test set with dropout off, the model after the last \
            epoch; mean over completed seeds (± std where there are several). "All layers" pools every hidden neuron.
            - "÷ 5 (B4)": that rate as the reference's rate script prints it (it divides by 5 × the sample count, \
            quirk B4 `rate_stats_div5`, spec §9.4); the paper's Table 5 may quote either.
            - SynOps: synaptic operations per sample, spikes × fan-out summed over t.
            - Energy per sample: \(ReportFormat.fixed(EnergyEstimate.picojoulesPerAccumulate, 1)) pJ per synaptic \
            operation, \(ReportFormat.fixed(EnergyEstimate.picojoulesPerMultiplyAccumulate, 1)) pJ per multiply–accumulate \
            (45 nm, Horowitz 2014). E_SNN: the input layer's MACs (the static input current is computed once) plus the \
            SynOps; E_ANN: the MACs of the same structure applied once.
            - Not counted: memory access, neuron updates and the classifier (the same in both).

            """
        return [.text(caption)] + blocks
    }

    /// "0.87 / 12.30 (×14.1 less)": E_SNN and E_ANN in microjoules per sample.
    private static func energyCell(_ operations: Double?, run: ExperimentRun) -> String {
        guard let operations, let costs = EnergyEstimate.NetworkCosts.of(run),
              let energy = EnergyEstimate(synapticOperations: operations, costs: costs) else { return ReportFormat.dash }
        let ratio = energy.artificial / energy.spiking
        return "\(ReportFormat.fixed(energy.spiking / 1e6, 2)) / \(ReportFormat.fixed(energy.artificial / 1e6, 2)) "
            + "(ANN ÷ SNN \(ReportFormat.fixed(ratio, 1)))"
    }

    /// " ± 0.123" for several seeds, "" for one.
    private static func spread(_ summary: SampleSummary) -> String {
        summary.standardDeviation.map { " ± \(ReportFormat.fixed(100 * $0, 3))" } ?? ""
    }

    /// The row's label, marked when its network is not the one the paper's table used, and when
    /// its runs at `profile` are another file's row's.
    static func label(_ run: ExperimentRun, _ results: TableResults, _ profile: Profile) -> String {
        (results.experiment.file.isPaperModel(run.training.model) ? run.label : "\(run.label) (substitute network)")
            + results.sameRunLabel(run.row, profile)
    }

    /// Per-layer test firing rates (percent) as grouped bars, one panel per network of two layers
    /// or more, one bar per row in each layer; mean over completed seeds.
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
                panel.bars.append(.init(title: "\(run.training.method.displayName)-\(neuron)", values: means, color: color))
            }
            // One layer is one number per row: the table says it.
            if !panel.isEmpty, panel.categories.count >= 2 { panels.append(panel) }
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
