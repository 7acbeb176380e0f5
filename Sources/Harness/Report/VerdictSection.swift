import Foundation

/// "Verdicts on the paper's claims": for each claim of the paper's text (spec §9.5a) whether this
/// record supports it, generated from the result files, with the numbers it rests on and their
/// statistical basis (mean ± std over seeds, n, and a two-sided Welch t-test at α = 0.05 where both
/// sides have at least `WelchTest.minimumSamples` seeds). A claim without data says so.
enum VerdictSection {
    static let significance = 0.05
    /// The largest spread (max − min) / min of IDE's peak over T still called "independent of T".
    static let memorySpreadTolerance = 0.10
    /// The paper's bound on the IDE models' average firing rate (spec §9.5a, Table 5).
    static let paperRateBound = 0.007

    static func markdown(_ tables: [TableResults]) -> String {
        var text = "\n## Verdicts on the paper's claims\n\n"
        text += "Generated from the result files above, one paragraph per claim of the paper's text (spec §9.5a). "
            + "Per comparison: mean ± sample std (n seeds); where both sides have ≥ \(WelchTest.minimumSamples) "
            + "seeds, a two-sided Welch t-test (t, Welch–Satterthwaite ν, p; significant at p < \(significance)); "
            + "with fewer seeds the comparison is descriptive only. Each profile is judged on its own, and only "
            + "profile `paper` uses the paper's settings.\n\n"
        text += accuracy(tables.filter { $0.experiment.file.kind == .accuracy })
        text += memory(tables.filter { $0.experiment.file.kind == .memory })
        text += sparsity(tables.filter { $0.experiment.file.kind == .rates })
        text += convergence(tables.filter { $0.experiment.file.kind == .convergence })
        return text
    }

    // MARK: IDE against STBP accuracy (Tables 1–3)

    /// How one comparison of two samples reads.
    enum Reading: Equatable {
        case firstHigher(WelchTest), secondHigher(WelchTest), notSignificant(WelchTest)
        /// Fewer than the minimum seeds on a side (or no variance): descriptive only.
        case untested(firstHigher: Bool)

        init(_ first: [Double], _ second: [Double]) {
            let descriptive = mean(first) > mean(second)
            guard first.count >= WelchTest.minimumSamples, second.count >= WelchTest.minimumSamples,
                  let test = WelchTest(first, second) else {
                self = .untested(firstHigher: descriptive)
                return
            }
            if test.pValue >= VerdictSection.significance { self = .notSignificant(test) }
            else { self = test.t > 0 ? .firstHigher(test) : .secondHigher(test) }
        }

        var test: WelchTest? {
            switch self {
            case let .firstHigher(test), let .secondHigher(test), let .notSignificant(test): return test
            case .untested: return nil
            }
        }

        /// "t = 2.31, ν = 7.4, p = 0.051"
        var statistics: String {
            guard let test else { return "n < \(WelchTest.minimumSamples) on a side: not tested" }
            return "t = \(ReportFormat.fixed(test.t, 2)), ν = \(ReportFormat.fixed(test.degreesOfFreedom, 1)), "
                + "p \(test.pValue < 0.001 ? "< 0.001" : "= " + ReportFormat.fixed(test.pValue, 3))"
        }
    }

    private static func accuracy(_ tables: [TableResults]) -> String {
        var table = MarkdownTable(["table", "row", "profile", "IDE", "STBP", "Δ (IDE − STBP)", "Welch test", "reading"],
                                  numericColumns: [3, 4, 5])
        var readings: [Reading] = []
        for results in tables {
            for pair in RowPair.pairs(in: results.experiment) {
                guard let ide = pair.ide, let stbp = pair.stbp else { continue }
                for profile in results.profiles {
                    let a = results.completed(ide.row, profile).compactMap(\.bestAccuracy)
                    let b = results.completed(stbp.row, profile).compactMap(\.bestAccuracy)
                    guard !a.isEmpty, !b.isEmpty else { continue }
                    let reading = Reading(a, b)
                    readings.append(reading)
                    table.append([results.experiment.file.table, ide.label, profile.rawValue, summary(a), summary(b),
                                  ReportFormat.signed(mean(a) - mean(b), 2), reading.statistics,
                                  describe(reading, first: "IDE", second: "STBP")])
                }
            }
        }
        var text = "### IDE reaches accuracy at least as high as STBP on the same network\n\n"
            + "The paper (§5.4) states that IDE reaches higher accuracy than STBP with the same architecture and "
            + "settings. Best-epoch test accuracy (%) of each IDE row against its STBP twin:\n\n"
        guard !readings.isEmpty else {
            return text + "**Not assessed**: no IDE row and its STBP twin both have completed runs of one profile.\n\n"
        }
        text += table.markdown + "\n"
        let tested = readings.filter { $0.test != nil }
        let ideHigher = tested.filter { if case .firstHigher = $0 { return true } else { return false } }.count
        let stbpHigher = tested.filter { if case .secondHigher = $0 { return true } else { return false } }.count
        let untested = readings.count - tested.count
        let descriptiveIDE = readings.filter { if case .untested(true) = $0 { return true } else { return false } }.count
        var verdict: String
        if tested.isEmpty {
            verdict = "**Untested**: no comparison has \(WelchTest.minimumSamples) seeds on both sides"
        } else if stbpHigher > 0 {
            verdict = "**Contradicted** in \(stbpHigher) of \(tested.count) tested comparisons (STBP significantly higher)"
        } else if ideHigher == tested.count {
            verdict = "**Supported**: IDE is significantly higher in "
                + (tested.count == 1 ? "the one tested comparison" : "all \(tested.count) tested comparisons")
        } else {
            verdict = "**Not contradicted, not shown**: IDE is significantly higher in \(ideHigher) and not "
                + "significantly different in \(tested.count - ideHigher) of \(tested.count) tested comparisons"
        }
        if untested > 0 {
            verdict += "; \(untested) comparison\(untested == 1 ? "" : "s") with fewer seeds (descriptively IDE "
                + "higher in \(descriptiveIDE) of \(untested))"
        }
        return text + verdict + ".\n\n"
    }

    // MARK: Memory (Table 4)

    private static func memory(_ tables: [TableResults]) -> String {
        var text = "### IDE's training memory is independent of T and much smaller than STBP's\n\n"
            + "The paper (§5.4, Table 4) states both. Peak live tensor memory per training iteration (MiB; the "
            + "steady maximum of one seed's measured iterations, as in Table 4), IDE as fsnn allocates Broyden's "
            + "memory:\n\n"
        var table = MarkdownTable(["network", "profile", "T measured", "IDE peak (min–max)", "spread",
                                   "STBP peak (min–max)", "T where IDE < STBP"], numericColumns: [3, 4, 5])
        var independent: [Bool] = [], smallerEverywhere: [Bool] = [], smallerSomewhere: [Bool] = []
        for results in tables {
            for profile in results.profiles {
                let lines = MemorySection.measuredLines(results, profile: profile)
                for network in lines.map(\.line.network).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
                    guard let ide = lines.first(where: { $0.line.network == network && $0.line.method == "IDE"
                        && !$0.line.referenceAllocation })?.measured, ide.count >= 2 else { continue }
                    let stbp = lines.first { $0.line.network == network && $0.line.method == "STBP" }?.measured ?? [:]
                    let peaks = ide.values.map(\.peak)
                    let spread = (peaks.max()! - peaks.min()!) / peaks.min()!
                    independent.append(spread <= memorySpreadTolerance)
                    let common = ide.keys.filter { stbp[$0] != nil }.sorted()
                    let below = common.filter { ide[$0]!.peak < stbp[$0]!.peak }
                    if !common.isEmpty {
                        smallerEverywhere.append(below.count == common.count)
                        smallerSomewhere.append(!below.isEmpty)
                    }
                    let stbpPeaks = stbp.values.map(\.peak)
                    table.append([network, profile.rawValue, ide.keys.sorted().map(String.init).joined(separator: ", "),
                                  range(peaks), ReportFormat.fixed(100 * spread, 1) + " %",
                                  stbpPeaks.isEmpty ? ReportFormat.dash : range(stbpPeaks),
                                  common.isEmpty ? ReportFormat.dash
                                      : below.isEmpty ? "none" : below.map(String.init).joined(separator: ", ")])
                }
            }
        }
        guard !independent.isEmpty else {
            return text + "**Not assessed**: no network has IDE runs at two or more T.\n\n"
        }
        text += table.markdown + "\n"
        let tolerance = ReportFormat.fixed(100 * memorySpreadTolerance, 0)
        text += "*Independent of T* (spread ≤ \(tolerance) % counts): "
            + (independent.allSatisfy { $0 } ? "**supported** for all \(independent.count) network/profile lines"
                : "**not supported** for \(independent.filter { !$0 }.count) of \(independent.count) lines") + ". "
        if smallerEverywhere.isEmpty {
            text += "*Smaller than STBP*: **not assessed** (no STBP runs at the same T).\n\n"
        } else if smallerEverywhere.allSatisfy({ $0 }) {
            text += "*Smaller than STBP*: **supported** at every T measured.\n\n"
        } else if smallerSomewhere.contains(true) {
            text += "*Smaller than STBP*: **partly supported**: only from a crossover T on (the last column; "
                + "Table 4's notes explain it by the solver's low-rank memory against STBP's per-step history).\n\n"
        } else {
            text += "*Smaller than STBP*: **not supported** at any T measured.\n\n"
        }
        return text
    }

    // MARK: Firing sparsity (Table 5)

    private static func sparsity(_ tables: [TableResults]) -> String {
        var text = "### Sparse firing: IDE models at about 0.7 % or lower, LIF sparser than IF, STBP denser\n\n"
            + "The paper (§5.5, Table 5) states that the IDE models' average firing rate is about 0.7 % or lower, "
            + "that LIF is slightly sparser than IF, and that the STBP-trained LIF model fires more than the IDE "
            + "models. Average test firing rate over all hidden neurons (true rate; the reference script prints "
            + "one fifth of it, quirk B4):\n\n"
        var table = MarkdownTable(["network", "profile", "IDE-IF", "IDE-LIF", "STBP-LIF", "LIF < IF", "STBP-LIF > IDE-LIF"],
                                  numericColumns: [2, 3, 4])
        var bound: [(trueRate: Bool, printed: Bool)] = [], lifSparser: [Reading] = [], stbpDenser: [Reading] = []
        for results in tables {
            let runs = results.experiment.runs(.paper)
            let networks = runs.map(RatesSection.network).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for profile in results.profiles {
                for network in networks {
                    func rates(_ method: String, _ neuron: String) -> [Double] {
                        guard let run = runs.first(where: { RatesSection.network($0) == network
                            && $0.training.method.rawValue == method
                            && ($0.training.neuron == .integrateAndFire) == (neuron == "if") }) else { return [] }
                        return results.completed(run.row, profile).compactMap { $0.rates.map { RatesSection.trueRate($0.overallRate, run) } }
                    }
                    let ideIF = rates("ide", "if"), ideLIF = rates("ide", "lif"), stbpLIF = rates("stbp", "lif")
                    guard !(ideIF.isEmpty && ideLIF.isEmpty && stbpLIF.isEmpty) else { continue }
                    for values in [ideIF, ideLIF] where !values.isEmpty {
                        bound.append((mean(values) <= paperRateBound, mean(values) / 5 <= paperRateBound))
                    }
                    var cells = [network, profile.rawValue] + [ideIF, ideLIF, stbpLIF].map(rateSummary)
                    if !ideIF.isEmpty, !ideLIF.isEmpty {
                        let reading = Reading(ideIF, ideLIF)
                        lifSparser.append(reading)
                        cells.append(describe(reading, first: "IF", second: "LIF", higherMeans: "denser")
                            + " (\(reading.statistics))")
                    } else { cells.append(ReportFormat.dash) }
                    if !ideLIF.isEmpty, !stbpLIF.isEmpty {
                        let reading = Reading(stbpLIF, ideLIF)
                        stbpDenser.append(reading)
                        cells.append(describe(reading, first: "STBP", second: "IDE", higherMeans: "denser")
                            + " (\(reading.statistics))")
                    } else { cells.append(ReportFormat.dash) }
                    table.append(cells)
                }
            }
        }
        guard !bound.isEmpty || !stbpDenser.isEmpty else {
            return text + "**Not assessed**: no Table 5 run has completed.\n\n"
        }
        text += table.markdown + "\n"
        let bounded = bound.filter(\.trueRate).count, printed = bound.filter(\.printed).count
        text += "*About 0.7 % or lower*: true rate within it for \(bounded) of \(bound.count) IDE models, the "
            + "reference's printed (÷ 5) rate for \(printed) of \(bound.count). "
        text += "*LIF sparser than IF*: \(claimCount(lifSparser)). "
        text += "*STBP denser than IDE*: \(claimCount(stbpDenser)).\n\n"
        return text
    }

    // MARK: Convergence (the figure)

    private static func convergence(_ tables: [TableResults]) -> String {
        var text = "### The average firing rate converges to the equilibrium\n\n"
            + "The paper (§5.6) plots ‖f(a[t]) − a[t]‖ against t and states that it decreases, that some residual "
            + "error remains (the rate has precision 1/t), that LIF shows an extra error compared with IF, and that "
            + "networks with fewer neurons converge faster. Relative residual of the trained IDE models (mean over "
            + "seeds):\n\n"
        var table = MarkdownTable(["row", "profile", "neurons", "t = 1", "t = 5", "last t", "residual at last t ÷ at t = 1"],
                                  numericColumns: [2, 3, 4, 5, 6])
        var decreasing: [Bool] = []
        var finals: [(neuron: String, network: String, final: Double, atFive: Double?, neurons: Int?)] = []
        for results in tables {
            for run in results.experiment.runs(.paper) where run.training.method == .ide {
                for profile in results.profiles {
                    let records = results.completed(run.row, profile)
                    guard let trace = ConvergenceSection.meanTrace(records, "trained"), trace.count >= 2 else { continue }
                    let length = trace.count
                    let neurons = records.first?.rates?.neurons.reduce(0, +)
                    let ratio = trace[length - 1] / trace[0]
                    decreasing.append(ratio < 1)
                    let neuron = run.training.neuron == .integrateAndFire ? "IF" : "LIF"
                    finals.append((neuron, "\(run.dataset.rawValue) · \(run.training.model.rawValue)", trace[length - 1],
                                   trace[safe: 4], neurons))
                    table.append([run.label, profile.rawValue, neurons.map(String.init) ?? ReportFormat.dash,
                                  ReportFormat.scientific(trace[0]), trace[safe: 4].map(ReportFormat.scientific) ?? ReportFormat.dash,
                                  "\(ReportFormat.scientific(trace[length - 1])) (t = \(length))", ReportFormat.scientific(ratio)])
                }
            }
        }
        guard !decreasing.isEmpty else {
            return text + "**Not assessed**: no trained IDE trace in the record.\n"
        }
        text += table.markdown + "\n"
        text += "*Decreases*: " + (decreasing.allSatisfy { $0 } ? "**supported** for all \(decreasing.count) traces"
            : "**not supported** for \(decreasing.filter { !$0 }.count) of \(decreasing.count) traces") + ". "
        var lifWorse: [Bool] = []
        for network in Set(finals.map(\.network)) {
            let members = finals.filter { $0.network == network }
            if let ifFinal = members.first(where: { $0.neuron == "IF" })?.final,
               let lifFinal = members.first(where: { $0.neuron == "LIF" })?.final {
                lifWorse.append(lifFinal > ifFinal)
            }
        }
        text += "*LIF has the larger remaining error*: " + (lifWorse.isEmpty ? "not assessed (no network with both)"
            : "in \(lifWorse.filter { $0 }.count) of \(lifWorse.count) networks") + ". "
        let byNeurons = finals.filter { $0.neuron == "IF" }.compactMap { f in f.atFive.flatMap { r in f.neurons.map { ($0, r) } } }
            .sorted { $0.0 < $1.0 }
        if let smallest = byNeurons.first, let largest = byNeurons.last, largest.0 > smallest.0 {
            text += "*Fewer neurons converge faster*: at t = 5 the IF network of \(smallest.0) neurons has residual "
                + "\(ReportFormat.scientific(smallest.1)), that of \(largest.0) neurons \(ReportFormat.scientific(largest.1)): "
                + (smallest.1 < largest.1 ? "**supported**" : "**not supported**") + ".\n"
        } else {
            text += "*Fewer neurons converge faster*: not assessed (IF traces of one network size only).\n"
        }
        return text
    }

    // MARK: Formatting

    private static func describe(_ reading: Reading, first: String, second: String, higherMeans: String = "higher") -> String {
        switch reading {
        case .firstHigher: return "\(first) \(higherMeans) (significant)"
        case .secondHigher: return "\(second) \(higherMeans) (significant)"
        case .notSignificant: return "no significant difference"
        case let .untested(firstHigher): return "\(firstHigher ? first : second) \(higherMeans), descriptively"
        }
    }

    /// "holds in 2 of 3 comparisons (1 significant)": a claim that the first sample of each reading
    /// is the higher one.
    private static func claimCount(_ readings: [Reading]) -> String {
        guard !readings.isEmpty else { return "not assessed (no network with both)" }
        let holds = readings.filter {
            switch $0 {
            case .firstHigher: return true
            case .secondHigher: return false
            case let .notSignificant(test): return test.t > 0
            case let .untested(firstHigher): return firstHigher
            }
        }.count
        let significant = readings.filter { if case .firstHigher = $0 { return true } else { return false } }.count
        return "holds in \(holds) of \(readings.count) comparisons (\(significant) significant)"
    }

    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    private static func summary(_ values: [Double]) -> String {
        guard let s = SampleSummary(values) else { return ReportFormat.dash }
        return "\(ReportFormat.fixed(s.mean, 2)) ± \(s.standardDeviation.map { ReportFormat.fixed($0, 2) } ?? ReportFormat.dash) (n = \(s.count))"
    }

    private static func rateSummary(_ values: [Double]) -> String {
        guard let s = SampleSummary(values) else { return ReportFormat.dash }
        return ReportFormat.percent(s.mean) + (s.count > 1 ? " (n = \(s.count))" : "")
    }

    private static func range(_ bytes: [Double]) -> String {
        "\(ReportFormat.mebibytes(bytes.min()!))–\(ReportFormat.mebibytes(bytes.max()!))"
    }
}
