import FSNN

/// "Verdicts on the paper's claims": for each claim of the paper's text (spec §9.5a), what this
/// record says of it, generated from the result files. A claim is judged only on comparable,
/// trained runs: the two sides at the same profile and under the same conditions (`RunProtocol`),
/// on the network the paper used for it, each group of conditions on its own and named in the
/// verdict. Tests: Welch's t-test with at least three seeds per side, McNemar's paired test of two
/// single runs on the same test samples, Holm's correction across the comparisons of one claim in one
/// group of conditions;
/// anything else is descriptive, and equal means are ties.
enum VerdictSection {
    /// The largest spread (max − min) / min of a method's peak over T still called "independent of T".
    static let memorySpreadTolerance = 0.10
    /// The paper's bound on the IDE models' average firing rate (spec §9.5a, Table 5).
    static let paperRateBound = 0.007

    static func markdown(_ tables: [TableResults]) -> String {
        let accuracyTables = tables.filter { $0.experiment.file.kind == .accuracy }
        var text = "\n## Verdicts on the paper's claims\n\n"
        text += """
            Generated from the result files, one part per claim of the paper's text (spec §9.5a).

            - Only trained runs count (best test accuracy more than \(ReportFormat.fixed(RunRecord.untrainedMargin, 0)) \
            points above chance), compared under the same profile and data; each group of conditions is judged on its own.
            - Tests: Welch's t-test where both sides have ≥ \(WelchTest.minimumSamples) seeds; McNemar's exact test of \
            the last epoch's predictions where both sides have one run on the same test samples; otherwise descriptive.
            - p-values are Holm-corrected across the comparisons of a claim under one group of conditions on one \
            statistic; significant at \
            p < \(Comparison.significance). \
            Equal means at two decimals are ties.


            """
        text += methodAccuracy(accuracyTables)
        text += lifOverIF(accuracyTables)
        text += memory(tables.filter { $0.experiment.file.kind == .memory })
        text += sparsity(tables.filter { $0.experiment.file.kind == .rates })
        text += convergence(tables.filter { $0.experiment.file.kind == .convergence })
        return text
    }

    // MARK: Accuracy claims (Tables 1–3)

    /// One accuracy comparison: which rows, under which conditions, on which statistic.
    struct AccuracyComparison {
        var table: String
        var row: String
        var conditions: String
        var statistic: AccuracyStatistic
        var comparison: Comparison
    }

    /// "profile `paper`, whole data", "profile `quick`, data subset".
    static func conditions(_ runs: RowRuns) -> String? {
        guard let kind = runs.runProtocol else { return nil }
        let data = kind == .subset ? "data subset (\(runs.dataCell))" : "whole data"
        return "profile `\(runs.profile.rawValue)`, \(data), \(runs.epochsText)"
    }

    /// Comparisons of row `a` against row `b` at every profile where both trained under the same
    /// conditions, best and last epoch; `skipped` counts those left out because a side did not train.
    static func compare(_ a: String, _ b: String, in results: TableResults, label: String, skipped: inout Int)
        -> [AccuracyComparison] {
        var found: [AccuracyComparison] = []
        for profile in results.profiles {
            let first = RowRuns(results, row: a, profile: profile), second = RowRuns(results, row: b, profile: profile)
            guard !first.completed.isEmpty, !second.completed.isEmpty,
                  first.runProtocol == second.runProtocol, let conditions = conditions(first) else { continue }
            guard !first.trained.isEmpty, !second.trained.isEmpty else {
                skipped += 1
                continue
            }
            for statistic in [AccuracyStatistic.best, .last] {
                let comparison = Comparison(first.trained.compactMap { $0.accuracy(statistic) },
                                            second.trained.compactMap { $0.accuracy(statistic) },
                                            firstPredictions: statistic == .last ? first.trained.first?.predictions : nil,
                                            secondPredictions: statistic == .last ? second.trained.first?.predictions : nil)
                found.append(AccuracyComparison(table: results.experiment.file.table, row: label, conditions: conditions,
                                                statistic: statistic, comparison: comparison))
            }
        }
        return found
    }

    private static func methodAccuracy(_ tables: [TableResults]) -> String {
        let others = Set(tables.flatMap { TwinGroup.methods(in: $0.experiment) }).subtracting([.ide])
        var text = ""
        for other in TrainingMethod.allCases where others.contains(other) {
            var found: [AccuracyComparison] = []
            var skipped = 0
            for results in tables {
                for group in TwinGroup.groups(in: results.experiment) {
                    guard let ide = group.row(.ide), let twin = group.row(other) else { continue }
                    found += compare(ide.row, twin.row, in: results, label: group.primary.label, skipped: &skipped)
                }
            }
            text += accuracyClaim(
                title: "IDE reaches higher accuracy than \(other.displayName) on the same network",
                statement: "The paper (§5.4) states that IDE reaches higher accuracy than STBP with the same architecture "
                    + "and training settings\(other == .stbp ? "" : "; \(other.displayName) is compared the same way"). "
                    + "Test accuracy (%) of each IDE row against its \(other.displayName) twin:",
                comparisons: found, first: "IDE", second: other.displayName, skipped: skipped)
        }
        return text
    }

    private static func lifOverIF(_ tables: [TableResults]) -> String {
        var found: [AccuracyComparison] = []
        var skipped = 0
        for results in tables {
            let runs = results.experiment.runs(.paper).filter { $0.training.method == .ide }
            for lif in runs where lif.training.neuron != .integrateAndFire {
                guard let partner = runs.first(where: { $0.training.neuron == .integrateAndFire && $0.dataset == lif.dataset
                    && $0.training.model == lif.training.model && $0.training.timeSteps == lif.training.timeSteps }) else { continue }
                let label = "\(lif.dataset.rawValue) · \(lif.training.model.rawValue) · T=\(lif.training.timeSteps)"
                found += compare(lif.row, partner.row, in: results, label: label, skipped: &skipped)
            }
        }
        return accuracyClaim(
            title: "LIF is slightly better than IF",
            statement: "The paper (§5.4, Table 1) states that LIF neurons reach slightly higher accuracy than IF, "
                + "attributed to the weighted average encoding temporal information. Test accuracy (%) of each IDE "
                + "LIF row against the IDE IF row of the same network and T:",
            comparisons: found, first: "LIF", second: "IF", skipped: skipped)
    }

    /// The table of one accuracy claim and its verdict per group of conditions and statistic.
    private static func accuracyClaim(title: String, statement: String, comparisons: [AccuracyComparison],
                                      first: String, second: String, skipped: Int) -> String {
        var text = "### \(title)\n\n\(statement)\n\n"
        // One family per group of conditions and statistic, as each group is judged on its own: Holm
        // across the group's comparisons of best epochs, and of last epochs, so that runs at a reduced
        // profile never change a test at the paper's protocol.
        var judged = comparisons
        var conditions: [String] = []
        for item in judged where !conditions.contains(item.conditions) { conditions.append(item.conditions) }
        for condition in conditions {
            for statistic in AccuracyStatistic.allCases {
                let indices = judged.indices.filter { judged[$0].conditions == condition && judged[$0].statistic == statistic }
                var family = indices.map { judged[$0].comparison }
                Comparison.correct(&family)
                for (index, comparison) in zip(indices, family) { judged[index].comparison = comparison }
            }
        }
        let leftOut = skipped == 0 ? "" : " \(skipped) comparison\(skipped == 1 ? "" : "s") left out: a side did not train."
        guard !judged.isEmpty else {
            return text + "**Not assessed**: no pair of rows has trained runs under the same conditions.\(leftOut)\n\n"
        }
        var table = MarkdownTable(["table", "row", "conditions", "statistic", first, second, "Δ", "test", "reading"],
                                  numericColumns: [4, 5, 6])
        for item in judged {
            let c = item.comparison
            table.append([item.table, item.row, item.conditions, item.statistic.shortName,
                          ReportFormat.meanAndSpread(SampleSummary(c.first)), ReportFormat.meanAndSpread(SampleSummary(c.second)),
                          ReportFormat.signed(c.difference, 2), c.statistics, c.reading(first: first, second: second)])
        }
        text += table.markdown + "\n"
        for condition in conditions {
            let parts = [AccuracyStatistic.best, .last].map { statistic -> String in
                let members = judged.filter { $0.conditions == condition && $0.statistic == statistic }.map(\.comparison)
                return "\(statistic.name): " + verdict(members, first: first, second: second)
            }
            text += "- \(condition): " + parts.joined(separator: "; ") + ".\n"
        }
        return text + (leftOut.isEmpty ? "" : "\n\(leftOut.trimmingCharacters(in: .whitespaces))\n") + "\n"
    }

    /// The verdict of one group of comparisons of a claim that the first side is higher.
    static func verdict(_ members: [Comparison], first: String, second: String) -> String {
        let tested = members.filter { $0.adjustedP != nil }
        let ties = members.filter(\.isTie).count
        let higher = tested.filter { $0.significantSign > 0 }.count, lower = tested.filter { $0.significantSign < 0 }.count
        let count = "\(members.count) comparison\(members.count == 1 ? "" : "s")"
        if tested.isEmpty {
            let descriptive = members.filter { !$0.isTie && $0.difference > 0 }.count
            return "**untested** (\(count), too few seeds; descriptively \(first) higher in \(descriptive), "
                + "\(second) higher in \(members.count - descriptive - ties), ties \(ties))"
        }
        if lower > 0 { return "**contradicted**: \(second) significantly higher in \(lower) of \(tested.count) tested" }
        if higher == tested.count { return "**supported**: \(first) significantly higher in \(higher) of \(tested.count) tested" }
        return "**not shown**: \(first) significantly higher in \(higher), no significant difference in "
            + "\(tested.count - higher) of \(tested.count) tested"
    }

    // MARK: Memory (Table 4)

    /// IDE against STBP (the paper's claim), and against every other method the files measure,
    /// one pair at a time.
    private static func memory(_ tables: [TableResults]) -> String {
        var text = "### IDE's training memory is independent of T and much smaller than STBP's\n\n"
            + "The paper (§5.4, Table 4) states both. Peak live tensor memory per training iteration (MiB, as in "
            + "Table 4), IDE as fsnn allocates Broyden's memory:\n\n"
        let present = Set(tables.flatMap { TwinGroup.methods(in: $0.experiment) })
        let others = TrainingMethod.allCases.filter { $0 != .ide && ($0 == .stbp || present.contains($0)) }
        var table = MarkdownTable(["network", "profile", "T measured", "IDE peak (min–max)", "spread"]
                                      + others.flatMap { ["\($0.displayName) peak (min–max)", "T where IDE < \($0.displayName)"] },
                                  numericColumns: Set([3, 4] + others.indices.map { 5 + 2 * $0 }))
        var independent: [Bool] = [], smallerEverywhere = others.map { _ in [Bool]() }
        var smallerSomewhere = others.map { _ in [Bool]() }
        var profiles: [String] = []
        for results in tables {
            for profile in results.profiles {
                let lines = MemorySection.measuredLines(results, profile: profile)
                for network in lines.map(\.line.network).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
                    guard let ide = lines.first(where: { $0.line.network == network && $0.line.method == .ide
                        && !$0.line.referenceAllocation })?.measured, ide.count >= 2 else { continue }
                    if !profiles.contains(profile.rawValue) { profiles.append(profile.rawValue) }
                    let peaks = ide.values.map(\.peak)
                    let spread = (peaks.max()! - peaks.min()!) / peaks.min()!
                    independent.append(spread <= memorySpreadTolerance)
                    var cells = [network, profile.rawValue, ide.keys.sorted().map(String.init).joined(separator: ", "),
                                 range(peaks), ReportFormat.fixed(100 * spread, 1) + " %"]
                    for (index, method) in others.enumerated() {
                        let other = lines.first { $0.line.network == network && $0.line.method == method }?.measured ?? [:]
                        let common = ide.keys.filter { other[$0] != nil }.sorted()
                        let below = common.filter { ide[$0]!.peak < other[$0]!.peak }
                        if !common.isEmpty {
                            smallerEverywhere[index].append(below.count == common.count)
                            smallerSomewhere[index].append(!below.isEmpty)
                        }
                        let otherPeaks = other.values.map(\.peak)
                        cells += [otherPeaks.isEmpty ? ReportFormat.dash : range(otherPeaks),
                                  common.isEmpty ? ReportFormat.dash
                                      : below.isEmpty ? "none" : below.map(String.init).joined(separator: ", ")]
                    }
                    table.append(cells)
                }
            }
        }
        guard !independent.isEmpty else {
            return text + "**Not assessed**: no network has IDE runs at two or more T.\n\n"
        }
        text += table.markdown + "\n"
        let scope = "profile \(profiles.map { "`\($0)`" }.joined(separator: ", ")), \(independent.count) network"
            + (independent.count == 1 ? "" : "s")
        let tolerance = ReportFormat.fixed(100 * memorySpreadTolerance, 0)
        text += "- *Independent of T* (spread ≤ \(tolerance) % counts; \(scope)): "
            + (independent.allSatisfy { $0 } ? "**supported** for all \(independent.count)"
                : "**not supported** for \(independent.filter { !$0 }.count) of \(independent.count)") + ".\n"
        for (index, method) in others.enumerated() {
            let name = method.displayName
            text += "- *Smaller than \(name)'s* (\(method == .stbp ? "" : "not a claim of the paper; ")\(scope)): "
            if smallerEverywhere[index].isEmpty {
                text += "**not assessed** (no \(name) runs at the same T)."
            } else if smallerEverywhere[index].allSatisfy({ $0 }) {
                text += "**supported** at every T measured."
            } else if smallerSomewhere[index].contains(true) {
                let column = others.count == 1 ? "the last column" : "the column \"T where IDE < \(name)\""
                text += "**partly supported**: at some T only (\(column); Table 4's notes say where the lines cross "
                    + "and what the solver's pairs weigh)."
            } else {
                text += "**not supported** at any T measured."
            }
            text += index == others.count - 1 ? "\n\n" : "\n"
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
        var table = MarkdownTable(["network", "profile", "IDE-IF", "IDE-LIF", "STBP-LIF", "network used by the paper"],
                                  numericColumns: [2, 3, 4])
        var bound: [(trueRate: Bool, printed: Bool)] = []
        var lifSparser: [Comparison] = [], stbpDenser: [Comparison] = []
        var judgedOn: [String] = [], context: [String] = []
        for results in tables {
            let runs = results.experiment.runs(.paper)
            let networks = runs.map(RatesSection.network).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for profile in results.profiles {
                for network in networks {
                    func rates(_ method: TrainingMethod, integrateAndFire: Bool) -> [Double] {
                        guard let run = runs.first(where: { RatesSection.network($0) == network && $0.training.method == method
                            && ($0.training.neuron == .integrateAndFire) == integrateAndFire }) else { return [] }
                        return results.completed(run.row, profile).filter(\.isTrained)
                            .compactMap { $0.rates.map { RatesSection.trueRate($0.overallRate, run) } }
                    }
                    let ideIF = rates(.ide, integrateAndFire: true), ideLIF = rates(.ide, integrateAndFire: false)
                    let stbpLIF = rates(.stbp, integrateAndFire: false)
                    guard !(ideIF.isEmpty && ideLIF.isEmpty && stbpLIF.isEmpty) else { continue }
                    let paperNetwork = runs.first { RatesSection.network($0) == network }
                        .map { results.experiment.file.isPaperModel($0.training.model) } ?? false
                    // Rows read from another file's runs (`same_run_as`) say whose they are.
                    let sources = runs.filter { RatesSection.network($0) == network }
                        .compactMap { results.sameRun($0.row, profile)?.tableName }
                        .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                    let shown = network + (sources.isEmpty ? "" : " (the runs of \(sources.joined(separator: ", ")))")
                    table.append([shown, profile.rawValue] + [ideIF, ideLIF, stbpLIF].map(rateSummary)
                                 + [paperNetwork ? "yes" : "no (substitute)"])
                    let scope = "\(network), profile `\(profile.rawValue)`"
                    guard paperNetwork else {
                        context.append(scope)
                        continue
                    }
                    judgedOn.append(scope)
                    for values in [ideIF, ideLIF] where !values.isEmpty {
                        bound.append((mean(values) <= paperRateBound, mean(values) / 5 <= paperRateBound))
                    }
                    if !ideIF.isEmpty, !ideLIF.isEmpty { lifSparser.append(Comparison(ideIF, ideLIF)) }
                    if !ideLIF.isEmpty, !stbpLIF.isEmpty { stbpDenser.append(Comparison(stbpLIF, ideLIF)) }
                }
            }
        }
        guard !table.rows.isEmpty else { return text + "**Not assessed**: no Table 5 run has completed.\n\n" }
        text += table.markdown + "\n"
        guard !judgedOn.isEmpty else {
            return text + "**Not assessed** on the network the paper used: no trained run of it has completed. "
                + "The rates above were measured on substitute networks (\(context.joined(separator: "; "))) and are "
                + "context, not a test of the claims.\n\n"
        }
        Comparison.correct(&lifSparser)
        Comparison.correct(&stbpDenser)
        let bounded = bound.filter(\.trueRate).count, printed = bound.filter(\.printed).count
        text += "Judged on \(judgedOn.joined(separator: "; ")):\n\n"
        text += "- *About 0.7 % or lower*: the true rate is within it for \(bounded) of \(bound.count) IDE models, the "
            + "reference's printed (÷ 5) rate for \(printed) of \(bound.count).\n"
        text += "- *LIF sparser than IF*: " + (lifSparser.isEmpty ? "not assessed (no network with both)"
            : verdict(lifSparser, first: "IF", second: "LIF").replacingOccurrences(of: "higher", with: "denser")) + ".\n"
        text += "- *STBP denser than IDE*: " + (stbpDenser.isEmpty ? "not assessed (no network with both)"
            : verdict(stbpDenser, first: "STBP", second: "IDE").replacingOccurrences(of: "higher", with: "denser")) + ".\n"
        if !context.isEmpty {
            text += "\nSubstitute networks (\(context.joined(separator: "; "))) are shown as context only.\n"
        }
        return text + "\n"
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
        var scopes: [String] = []
        for results in tables {
            for run in results.experiment.runs(.paper) where run.training.method == .ide {
                for profile in results.profiles {
                    let records = results.completed(run.row, profile)
                    guard let trace = ConvergenceSection.meanTrace(records, "trained"), trace.count >= 2 else { continue }
                    if !scopes.contains("`\(profile.rawValue)`") { scopes.append("`\(profile.rawValue)`") }
                    let length = trace.count
                    let neurons = records.first?.rates?.neurons.reduce(0, +)
                    let ratio = trace[length - 1] / trace[0]
                    decreasing.append(ratio < 1)
                    let neuron = run.training.neuron == .integrateAndFire ? "IF" : "LIF"
                    finals.append((neuron, "\(run.dataset.rawValue) · \(run.training.model.rawValue)", trace[length - 1],
                                   trace[safe: 4], neurons))
                    table.append([run.label + results.sameRunLabel(run.row, profile), profile.rawValue,
                                  neurons.map(String.init) ?? ReportFormat.dash,
                                  ReportFormat.scientific(trace[0]), trace[safe: 4].map(ReportFormat.scientific) ?? ReportFormat.dash,
                                  "\(ReportFormat.scientific(trace[length - 1])) (t = \(length))", ReportFormat.scientific(ratio)])
                }
            }
        }
        guard !decreasing.isEmpty else {
            return text + "**Not assessed**: no trained IDE trace in the record.\n"
        }
        text += table.markdown + "\n"
        text += "Profile \(scopes.joined(separator: ", ")):\n\n"
        text += "- *Decreases*: " + (decreasing.allSatisfy { $0 } ? "**supported** for all \(decreasing.count) traces"
            : "**not supported** for \(decreasing.filter { !$0 }.count) of \(decreasing.count) traces") + ".\n"
        var lifWorse: [Bool] = []
        for network in Set(finals.map(\.network)) {
            let members = finals.filter { $0.network == network }
            if let ifFinal = members.first(where: { $0.neuron == "IF" })?.final,
               let lifFinal = members.first(where: { $0.neuron == "LIF" })?.final {
                lifWorse.append(lifFinal > ifFinal)
            }
        }
        text += "- *LIF has the larger remaining error*: " + (lifWorse.isEmpty ? "not assessed (no network with both)"
            : "in \(lifWorse.filter { $0 }.count) of \(lifWorse.count) networks") + ".\n"
        let byNeurons = finals.filter { $0.neuron == "IF" }.compactMap { f in f.atFive.flatMap { r in f.neurons.map { ($0, r) } } }
            .sorted { $0.0 < $1.0 }
        if let smallest = byNeurons.first, let largest = byNeurons.last, largest.0 > smallest.0 {
            text += "- *Fewer neurons converge faster*: at t = 5 the IF network of \(smallest.0) neurons has residual "
                + "\(ReportFormat.scientific(smallest.1)), that of \(largest.0) neurons \(ReportFormat.scientific(largest.1)): "
                + (smallest.1 < largest.1 ? "**supported**" : "**not supported**") + ".\n"
        } else {
            text += "- *Fewer neurons converge faster*: not assessed (IF traces of one network size only).\n"
        }
        return text
    }

    // MARK: Formatting

    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    private static func rateSummary(_ values: [Double]) -> String {
        guard let s = SampleSummary(values) else { return ReportFormat.dash }
        return ReportFormat.percent(s.mean) + (s.count > 1 ? " (n = \(s.count))" : "")
    }

    private static func range(_ bytes: [Double]) -> String {
        "\(ReportFormat.mebibytes(bytes.min()!))–\(ReportFormat.mebibytes(bytes.max()!))"
    }
}
