import FSNN

/// Table 4: peak training memory by T, per network and gradient method; IDE both as fsnn
/// allocates Broyden's memory (the pairs a solve stores) and as the reference does (quirk
/// `broyden_full_allocation`: all 27 pairs up front). Every sentence under the table is computed
/// from the runs: what was measured, how each method's memory grows with T, the solver's
/// iterations and what its pairs weigh, and where the lines cross.
enum MemorySection {
    /// Rows of one network (dataset · model · neuron) and method, by T.
    struct Line {
        var network: String
        var method: TrainingMethod
        /// IDE with the reference's up-front Broyden allocation.
        var referenceAllocation: Bool
        var runs: [Int: ExperimentRun] = [:]

        var methodLabel: String {
            referenceAllocation ? "\(method.displayName) · reference Broyden allocation" : method.displayName
        }
    }

    /// One line's measurements by T, mean over completed seeds: the steady maximum of peak and
    /// transient bytes, the solver's mean iterations per batch (NaN without a solver), and what
    /// the runs say of the network (batch size, hidden neurons, fixed-point dimension D).
    struct Point {
        var peak: Double
        var transient: Double
        var solverIterations: Double
        var batchSize: Int?
        var neurons: Int?
        var outputNeurons: Int?
    }

    typealias Measured = [Int: Point]

    static func blocks(_ results: TableResults) -> [ReportBlock] {
        let steps = Array(Set(results.experiment.runs(.paper).map(\.training.timeSteps))).sorted()
        var blocks: [ReportBlock] = []
        for profile in results.profiles {
            let measured = measuredLines(results, profile: profile)
            var table = MarkdownTable(["network", "method"] + steps.map { "T=\($0)" }, numericColumns: Set(2..<(2 + steps.count)))
            var notRun: [String] = []
            for (line, points) in measured {
                guard !points.isEmpty else {
                    notRun.append("\(line.network) · \(line.methodLabel)")
                    continue
                }
                table.append([line.network, line.methodLabel] + steps.map { t in
                    points[t].map { "\(ReportFormat.mebibytes($0.peak)) / \(ReportFormat.mebibytes($0.transient))" }
                        ?? ReportFormat.dash
                })
            }
            guard !table.rows.isEmpty else { continue }
            var text = "**Profile `\(profile.rawValue)`** — cells: peak / transient MiB, the largest live tensor memory "
                + "of a training iteration and that peak minus what was alive when the iteration began (mean over "
                + "completed seeds of each run's maximum over its measured iterations).\n\n" + table.markdown + "\n"
            if !notRun.isEmpty { text += "Not run: \(notRun.joined(separator: "; ")).\n\n" }
            text += "- " + measurementNote(results, profile: profile) + "\n"
            for (network, sentences) in networkNotes(measured) {
                text += "- \(network):\n" + sentences.map { "  - \($0).\n" }.joined()
            }
            blocks.append(.text(text))
            blocks += figures(measured, table: results.experiment.file.table, profile: profile).map(ReportBlock.figure)
        }
        return blocks
    }

    /// Every line of the file (network · method · allocation) with its measurements per T at
    /// `profile`, mean over completed seeds; T without completed runs are absent.
    static func measuredLines(_ results: TableResults, profile: Profile) -> [(line: Line, measured: Measured)] {
        groupedLines(results.experiment).map { line in
            var measured: Measured = [:]
            for (t, run) in line.runs {
                let records = results.completed(run.row, profile)
                guard let peak = SampleSummary(records.compactMap { steadyMaximum($0.memory.peakBytes) }),
                      let transient = SampleSummary(records.compactMap { steadyMaximum($0.memory.transientBytes) })
                else { continue }
                let iterations = records.flatMap { $0.epochs.map(\.solverIterations) }.filter(\.isFinite)
                let neurons = records.first?.rates?.neurons
                measured[t] = Point(peak: peak.mean, transient: transient.mean,
                                    solverIterations: iterations.isEmpty ? .nan : iterations.reduce(0, +) / Double(iterations.count),
                                    batchSize: records.first?.integerSetting("batch_size"),
                                    neurons: neurons?.reduce(0, +), outputNeurons: neurons?.last)
            }
            return (line, measured)
        }
    }

    /// What the cells of `profile` measured, read from its runs: batch size(s) and iterations.
    private static func measurementNote(_ results: TableResults, profile: Profile) -> String {
        let records = results.experiment.file.rows.flatMap { results.completed($0.id, profile) }
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
                + "run has more than one, else its only iteration"
        }
        return "Measured: \(batchText), \(measured); live tensor bytes of this process (fsnn's allocation tracker) "
            + "without the input batches, not GPU memory."
    }

    /// Per network, from the measurements: how much each method's peak moves with T, what the
    /// IDE solver's pairs weigh at its measured iterations, and where STBP's peak meets IDE's.
    static func networkNotes(_ lines: [(line: Line, measured: Measured)]) -> [(network: String, sentences: [String])] {
        var notes: [(network: String, sentences: [String])] = []
        let networks = lines.map(\.line.network).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for network in networks {
            let members = lines.filter { $0.line.network == network && !$0.measured.isEmpty }
            guard !members.isEmpty else { continue }
            var sentences: [String] = []
            for (line, measured) in members {
                guard let slope = Slope(measured) else { continue }
                var sentence = "\(line.methodLabel): the peak changes by \(ReportFormat.signedMebibytes(slope.bytesPerStep)) MiB "
                    + "per time step (least squares over T = \(measured.keys.sorted().map(String.init).joined(separator: ", ")))"
                if let point = measured.values.first, let batch = point.batchSize, let neurons = point.neurons, neurons > 0 {
                    let perNeuron = slope.bytesPerStep / Double(batch * neurons)
                    sentence += ", \(ReportFormat.fixed(perNeuron, 2)) bytes per hidden neuron and sample"
                }
                sentences.append(sentence)
            }
            if let ide = members.first(where: { $0.line.method == .ide && !$0.line.referenceAllocation })?.measured {
                let iterations = ide.values.map(\.solverIterations).filter(\.isFinite)
                if let point = ide.values.first, let batch = point.batchSize, let d = point.outputNeurons, !iterations.isEmpty {
                    let pair = Double(2 * batch * d * MemoryLayout<Float>.size)
                    let mean = iterations.reduce(0, +) / Double(iterations.count)
                    let limit = Double(BroydenSolver.memoryLimit)
                    sentences.append("Broyden: the IDE runs took \(ReportFormat.fixed(mean, 1)) Broyden iterations per batch on "
                        + "average; a pair (u, vᵀ) of B × D floats each weighs \(ReportFormat.mebibytes(pair)) MiB (B = \(batch), "
                        + "D = \(d)), so the lean solver holds about \(ReportFormat.mebibytes(max(mean - 1, 0) * pair)) MiB "
                        + "(one pair per iteration after the first) and the reference's \(BroydenSolver.memoryLimit) pairs "
                        + "\(ReportFormat.mebibytes(limit * pair)) MiB")
                }
            }
            if let stbp = members.first(where: { $0.line.method == .stbp })?.measured {
                for (line, measured) in members where line.method != .stbp {
                    sentences.append(crossover(measured, stbp, name: "\(line.methodLabel)"))
                }
            }
            guard !sentences.isEmpty else { continue }
            notes.append((network, sentences))
        }
        return notes
    }

    /// A least-squares line of peak bytes against T.
    struct Slope {
        let bytesPerStep: Double
        let intercept: Double

        init?(_ measured: Measured) {
            let points = measured.map { (Double($0.key), $0.value.peak) }
            guard points.count >= 2 else { return nil }
            let n = Double(points.count)
            let mx = points.map(\.0).reduce(0, +) / n, my = points.map(\.1).reduce(0, +) / n
            let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
            guard sxx > 0 else { return nil }
            bytesPerStep = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
            intercept = my - bytesPerStep * mx
        }

        func value(at t: Double) -> Double { intercept + bytesPerStep * t }
    }

    /// Where STBP's peak meets `other`'s: measured (between two T) or, beyond the measured T,
    /// extrapolated along both least-squares lines.
    static func crossover(_ other: Measured, _ stbp: Measured, name: String) -> String {
        let common = other.keys.filter { stbp[$0] != nil }.sorted()
        guard let first = common.first, let last = common.last else { return "\(name) and STBP share no measured T" }
        let below = common.filter { other[$0]!.peak < stbp[$0]!.peak }
        if let lastAbove = common.last(where: { !below.contains($0) }), let firstBelow = common.first(where: { $0 > lastAbove }),
           below.contains(firstBelow) {
            let a = other[lastAbove]!.peak - stbp[lastAbove]!.peak, b = other[firstBelow]!.peak - stbp[firstBelow]!.peak
            let equal = Double(lastAbove) + a / (a - b) * Double(firstBelow - lastAbove)
            return "\(name)'s peak is above STBP's up to T = \(lastAbove) and below it from T = \(firstBelow) (equal at "
                + "T ≈ \(Int(equal.rounded())), linear interpolation)"
        }
        guard below.isEmpty else {
            let where_ = below.count == common.count ? "below STBP's at every T measured" : "below STBP's at T = "
                + below.map(String.init).joined(separator: ", ") + " only"
            return "\(name)'s peak is \(where_) (\(first)–\(last))"
        }
        var text = "\(name)'s peak is above STBP's at every T measured (\(first)–\(last))"
        if let mine = Slope(other), let theirs = Slope(stbp), theirs.bytesPerStep > mine.bytesPerStep {
            let t = (mine.intercept - theirs.intercept) / (theirs.bytesPerStep - mine.bytesPerStep)
            if t > Double(last) { text += "; along the fitted lines STBP's would reach it at T ≈ \(Int(t.rounded())) (extrapolated)" }
        }
        return text
    }

    /// Per network with measurements: peak and transient MiB against T (log), a panel each on
    /// one y axis, one line per method.
    private static func figures(_ lines: [(line: Line, measured: Measured)], table: String, profile: Profile) -> [GnuplotFigure] {
        let networks = lines.map(\.line.network).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return networks.compactMap { network in
            var peak = GnuplotFigure.Panel(title: "peak", xLabel: "time steps T", yLabel: "MiB", logX: true)
            var transient = GnuplotFigure.Panel(title: "transient (peak − live at the iteration's start)",
                                                xLabel: "time steps T", yLabel: "MiB", logX: true)
            for (color, member) in lines.filter({ $0.line.network == network }).enumerated() where member.measured.count >= 2 {
                let sorted = member.measured.sorted { $0.key < $1.key }
                let dash: GnuplotFigure.Dash = member.line.method == .ide ? (member.line.referenceAllocation ? .dotted : .solid) : .dashed
                peak.series.append(.init(title: member.line.methodLabel, points: sorted.map { (Double($0.key), $0.value.peak / 1_048_576) },
                                         dash: dash, color: color))
                transient.series.append(.init(title: member.line.methodLabel,
                                              points: sorted.map { (Double($0.key), $0.value.transient / 1_048_576) },
                                              dash: dash, color: color))
            }
            guard !peak.isEmpty else { return nil }
            return GnuplotFigure(name: "\(table)-\(profile.rawValue)-memory-\(ConvergenceSection.slug(network))",
                                 title: "Training memory by T: \(network) (profile \(profile.rawValue))",
                                 panels: [peak, transient], columns: 2, sharedYAxis: true)
        }
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
            let method = run.training.method
            let reference = method == .ide && run.training.quirks.contains(.broydenFullAllocation)
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
