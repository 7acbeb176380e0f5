import FSNN

/// Table 4: peak training memory by T, IDE against STBP, per network; IDE both as fsnn allocates
/// Broyden's memory (the pairs a solve stores) and as the reference does (quirk
/// `broyden_full_allocation`: all 27 pairs up front). The note says what was measured (batch,
/// iterations) from the runs themselves, and where STBP's memory overtakes IDE's.
enum MemorySection {
    /// Rows of one network (dataset · model · neuron) and method, by T.
    struct Line {
        var network: String
        var method: String
        /// IDE with the reference's up-front Broyden allocation.
        var referenceAllocation: Bool
        var runs: [Int: ExperimentRun] = [:]

        var methodLabel: String { referenceAllocation ? "\(method) · reference Broyden allocation" : method }
    }

    /// The steady maximum per T of one line, mean over completed seeds: peak and transient bytes.
    typealias Measured = [Int: (peak: Double, transient: Double)]

    static func blocks(_ results: TableResults) -> [ReportBlock] {
        let lines = groupedLines(results.experiment)
        let steps = Array(Set(results.experiment.runs(.paper).map(\.training.timeSteps))).sorted()
        var table = MarkdownTable(["network", "method", "profile"] + steps.map { "T=\($0)" },
                                  numericColumns: Set(3..<(3 + steps.count)))
        var figures: [ReportBlock] = [], notes: [String] = []
        for profile in results.lineProfiles {
            var panel = GnuplotFigure.Panel(xLabel: "time steps T", yLabel: "tensor memory per training iteration (MiB)",
                                            logX: true)
            let networks = lines.map(\.network).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let measuredByLine = profile.map { measuredLines(results, profile: $0) } ?? lines.map { ($0, [:]) }
            for (line, measured) in measuredByLine {
                table.append([line.network, line.methodLabel, profile?.rawValue ?? ReportFormat.dash] + steps.map { t in
                    measured[t].map { "\(ReportFormat.mebibytes($0.peak)) / \(ReportFormat.mebibytes($0.transient))" }
                        ?? ReportFormat.dash
                })
                guard !measured.isEmpty else { continue }
                let color = 3 * networks.firstIndex(of: line.network)! + (line.method == "STBP" ? 1 : line.referenceAllocation ? 2 : 0)
                let sorted = measured.sorted { $0.key < $1.key }
                panel.series.append(.init(title: "\(line.network) · \(line.methodLabel) · peak",
                                          points: sorted.map { (Double($0.key), $0.value.peak / 1_048_576) }, color: color))
                panel.series.append(.init(title: "\(line.network) · \(line.methodLabel) · transient",
                                          points: sorted.map { (Double($0.key), $0.value.transient / 1_048_576) },
                                          dash: .dashed, color: color))
            }
            if let profile {
                notes.append(measurementNote(results, profile: profile))
                notes += crossoverNotes(measuredByLine, profile: profile)
            }
            if !panel.isEmpty {
                figures.append(.figure(GnuplotFigure(
                    name: "\(results.experiment.file.table)-\(profile?.rawValue ?? "none")-memory",
                    title: "\(results.experiment.file.title) (profile \(profile?.rawValue ?? "—"))", panel: panel)))
            }
        }
        let caption = "Cells: peak / transient MiB — the largest live tensor memory of a training iteration, and that "
            + "peak minus what was alive when the iteration began (mean over completed seeds of each run's maximum "
            + "over its measured iterations; see below for which).\n\n"
        let claim = "\n**The paper's claim and what was measured.** The paper states that IDE's training memory is much "
            + "smaller than STBP's and independent of T (spec §9.3, §4.9). Independent of T it is; smaller only beyond "
            + "a crossover. IDE stores nothing per time step, but its adjoint solve holds Broyden's low-rank memory: "
            + "the reference code allocates all 2 × B × 27 × D floats of it at the start of every solve (≈ 347 MB for "
            + "the MNIST network at B = 128, spec §4.9; the rows \"reference Broyden allocation\", quirk "
            + "`broyden_full_allocation`), and fsnn allocates the 2 × B × D floats of each pair a solve stores (one per "
            + "iteration, typically 7–14 of 27). STBP's history grows by about B × D floats per time step (its "
            + "pre-spike membranes), so it overtakes IDE once T exceeds roughly the number of B × D vectors IDE's "
            + "solver holds — about 54 with the reference's allocation, twice the iterations with fsnn's.\n"
        return [.text(caption + table.markdown + "\n" + notes.map { "- \($0)\n" }.joined() + claim)] + figures
    }

    /// Every line of the file (network · method · allocation) with the steady maximum per T of
    /// `profile`'s completed runs, mean over seeds; T without completed runs are absent.
    static func measuredLines(_ results: TableResults, profile: Profile) -> [(line: Line, measured: Measured)] {
        groupedLines(results.experiment).map { line in
            var measured: Measured = [:]
            for (t, run) in line.runs {
                let records = results.completed(run.row, profile)
                guard let peak = SampleSummary(records.compactMap { steadyMaximum($0.memory.peakBytes) }),
                      let transient = SampleSummary(records.compactMap { steadyMaximum($0.memory.transientBytes) })
                else { continue }
                measured[t] = (peak.mean, transient.mean)
            }
            return (line, measured)
        }
    }

    /// What the cells of `profile` measured, read from its runs: batch size(s) and iterations.
    private static func measurementNote(_ results: TableResults, profile: Profile) -> String {
        let records = results.experiment.file.rows.flatMap { results.completed($0.id, profile) }
        guard !records.isEmpty else { return "Profile \(profile.rawValue): no completed runs." }
        let batches = distinct(records.compactMap { $0.integerSetting("batch_size") })
        let iterations = distinct(records.map(\.memory.peakBytes.count))
        let batchText = batches.isEmpty ? "batch size not recorded" : "batch \(batches.map(String.init).joined(separator: "/"))"
        let counts = iterations.map(String.init).joined(separator: "/")
        let measured: String
        if iterations.allSatisfy({ $0 >= 2 }) {
            measured = "\(counts) training iterations per run; the cells are the maximum over the iterations after the "
                + "first, which allocates the workspaces kept for later batches"
        } else if iterations == [1] {
            measured = "1 training iteration per run, so the cells include the first iteration's allocation of the "
                + "workspaces kept for later batches"
        } else {
            measured = "\(counts) training iterations per run; the maximum over the iterations after the first where a "
                + "run has more than one, else its only iteration (which includes allocating the workspaces)"
        }
        return "Profile \(profile.rawValue): \(batchText), \(measured)."
    }

    /// Per network: where STBP's peak overtakes IDE's, as fsnn allocates and as the reference does,
    /// and how STBP grows with T.
    private static func crossoverNotes(_ lines: [(line: Line, measured: Measured)], profile: Profile) -> [String] {
        var notes: [String] = []
        let networks = lines.map(\.line.network).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for network in networks {
            let members = lines.filter { $0.line.network == network }
            guard let stbp = members.first(where: { $0.line.method == "STBP" })?.measured, !stbp.isEmpty else { continue }
            var sentences: [String] = []
            for (ide, name) in [(false, "as fsnn allocates Broyden's memory, IDE"),
                                (true, "with the reference's allocation, IDE")] {
                guard let measured = members.first(where: { $0.line.method == "IDE" && $0.line.referenceAllocation == ide })?
                    .measured, !measured.isEmpty else { continue }
                sentences.append(crossover(ide: measured, stbp: stbp, name: name))
            }
            let stbpSteps = stbp.keys.sorted()
            if let first = stbpSteps.first, let last = stbpSteps.last, last > first {
                let slope = (stbp[last]!.peak - stbp[first]!.peak) / Double(last - first) / 1_048_576
                sentences.append("STBP grows by \(ReportFormat.fixed(slope, 2)) MiB per time step")
            }
            guard !sentences.isEmpty else { continue }
            notes.append("\(network) (\(profile.rawValue)): " + sentences.joined(separator: "; ") + ".")
        }
        return notes
    }

    /// "IDE's peak exceeds STBP's up to T = 30 and is below it from T = 100 (equal at T ≈ 62)".
    private static func crossover(ide: Measured, stbp: Measured, name: String) -> String {
        let common = ide.keys.filter { stbp[$0] != nil }.sorted()
        guard let first = common.first, let last = common.last else { return "\(name): no T measured for both methods" }
        let above = common.filter { ide[$0]!.peak >= stbp[$0]!.peak }
        if above.isEmpty { return "\(name)'s peak is below STBP's at every T measured (\(first)–\(last))" }
        if above.count == common.count { return "\(name)'s peak exceeds STBP's at every T measured (\(first)–\(last))" }
        guard let lastAbove = above.last, let firstBelow = common.first(where: { $0 > lastAbove }) else {
            return "\(name)'s peak is below STBP's at T = \(common.filter { !above.contains($0) }.map(String.init).joined(separator: ", "))"
        }
        let a = ide[lastAbove]!.peak - stbp[lastAbove]!.peak, b = ide[firstBelow]!.peak - stbp[firstBelow]!.peak
        let equal = Double(lastAbove) + a / (a - b) * Double(firstBelow - lastAbove)
        return "\(name)'s peak exceeds STBP's up to T = \(lastAbove) and is below it from T = \(firstBelow) "
            + "(equal at T ≈ \(Int(equal.rounded())) by linear interpolation)"
    }

    private static func distinct(_ values: [Int]) -> [Int] { Array(Set(values)).sorted() }

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
            let reference = run.training.method == .ide && run.training.quirks.contains(.broydenFullAllocation)
            if let index = lines.firstIndex(where: { $0.network == network && $0.method == method
                && $0.referenceAllocation == reference }) {
                lines[index].runs[run.training.timeSteps] = run
            } else {
                lines.append(Line(network: network, method: method, referenceAllocation: reference,
                                  runs: [run.training.timeSteps: run]))
            }
        }
        return lines
    }
}
