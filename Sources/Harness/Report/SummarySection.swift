/// The top of the report: what was reproduced at the paper's protocol, what ran at reduced
/// profiles or on subsets, what did not run and why; the coverage matrix; the compute behind the
/// record; the known deviations. Every sentence is built from the result and experiment files.
enum SummarySection {
    static func markdown(_ tables: [TableResults]) -> String {
        var text = "## Summary\n\n"
        text += reproduced(tables)
        text += reduced(tables)
        text += notRun(tables)
        text += "\n### Coverage\n\n" + coverage(tables)
        text += "\n### Compute\n\n" + ComputeBudget(tables).markdown
        text += "\n### Known deviations\n\n" + DeviationList(tables).markdown
        return text
    }

    /// The paper numbers checked at the paper's protocol, one line each, with both statistics.
    private static func reproduced(_ tables: [TableResults]) -> String {
        var lines: [String] = []
        var tally: [PaperComparison.Reading: Int] = [:]
        var expected = 0
        for results in tables where results.experiment.file.kind == .accuracy {
            for group in TwinGroup.groups(in: results.experiment) {
                guard let ide = group.row(.ide), group.primary.paper != nil else { continue }
                expected += 1
                let status = RowStatus(results, member: ide, group: group, profile: .paper)
                guard let best = status.comparison(.best) else { continue }
                tally[best.reading, default: 0] += 1
                var line = "- \(results.tableName), \(group.primary.label): IDE \(ReportFormat.meanAndSpread(best.ours)) against the paper's "
                    + "\(ReportFormat.paper(best.paper)) — best epoch: \(best.readingText)"
                if let last = status.comparison(.last) { line += "; last epoch \(ReportFormat.fixed(last.ours.mean, 2)): \(last.readingText)" }
                let reference = RowRuns.reference(results, row: ide.row, profile: .paper, classes: [.paper])
                if let released = reference.summary(.best) {
                    line += "; the released code on the same data \(ReportFormat.meanAndSpread(released))"
                    let comparison = ReferenceComparison(ours: status.runs.trained.compactMap { $0.accuracy(.best) },
                                                         reference: reference.trained.compactMap { $0.accuracy(.best) })
                    if let standardized = comparison.standardizedDifference {
                        line += " (fsnn − released: \(ReportFormat.signed(standardized, 1)) pooled std)"
                    } else {
                        line += " (fsnn − released: \(ReportFormat.signed(comparison.difference, 2)) points; too few seeds "
                            + "on a side to call)"
                    }
                }
                for method in group.methods where method != .ide {
                    guard let twin = group.row(method), let summary = RowRuns(results, row: twin.row, profile: .paper,
                                                                               classes: [.paper]).summary(.best) else { continue }
                    line += "; \(method.displayName) twin \(ReportFormat.meanAndSpread(summary))"
                }
                lines.append(line + ".")
            }
        }
        let checked = lines.count
        var text = "**At the paper's protocol** (profile `paper`, the whole published splits): \(checked) of the "
            + "\(expected) paper numbers of Tables 1–3 \(checked == 1 ? "has" : "have") completed trained runs"
        if checked > 0 {
            let counts = [(PaperComparison.Reading.reproduced, "reproduced"), (.notReproduced, "not reproduced"),
                          (.closeOnFewSeeds, "close but on too few seeds"), (.farOnFewSeeds, "off on too few seeds"),
                          (.noYardstick, "without a paper std")]
                .compactMap { reading, name in tally[reading].map { "\($0) \(name)" } }
            text += " (best epoch: \(counts.joined(separator: ", ")); reproduced means at least "
                + "\(PaperComparison.minimumSeeds) seeds with the mean within \(ReportFormat.fixed(PaperComparison.tolerance, 0)) "
                + "of the paper's standard deviations):\n\n" + lines.joined(separator: "\n") + "\n\n"
        } else {
            text += ".\n\n"
        }
        return text
    }

    /// Per table, the profiles and conditions other than the paper's protocol that hold completed runs.
    private static func reduced(_ tables: [TableResults]) -> String {
        var lines: [String] = []
        for results in tables {
            var byConditions: [(key: String, rows: Set<String>, seeds: [Int], untrained: Int)] = []
            let memory = results.experiment.file.kind == .memory
            for profile in results.profiles {
                for row in results.experiment.file.rows.map(\.id) {
                    let runs = RowRuns(results, row: row, profile: profile)
                    guard let kind = runs.runProtocol, kind != .paper || memory else { continue }
                    let iterations = Set(runs.completed.map(\.memory.peakBytes.count)).sorted().map(String.init)
                    let source = results.sameRun(row, profile).map { "; the runs of \($0.tableName)" } ?? ""
                    let key = memory
                        ? "`\(profile.rawValue)` (memory: \(iterations.joined(separator: "/")) training iterations of \(runs.dataCell)\(source))"
                        : "`\(profile.rawValue)` (\(kind.name), \(runs.dataCell), \(runs.epochsText)\(source))"
                    let untrained = runs.trained.isEmpty && !memory ? 1 : 0
                    if let index = byConditions.firstIndex(where: { $0.key == key }) {
                        byConditions[index].rows.insert(row)
                        byConditions[index].seeds.append(runs.completed.count)
                        byConditions[index].untrained += untrained
                    } else {
                        byConditions.append((key, [row], [runs.completed.count], untrained))
                    }
                }
            }
            for group in byConditions {
                let seeds = Set(group.seeds).sorted()
                let seedText = seeds.count == 1 ? "\(seeds[0]) seed\(seeds[0] == 1 ? "" : "s") each"
                    : "\(seeds.first!)–\(seeds.last!) seeds"
                var line = "- \(results.experiment.file.table): \(group.rows.count) row\(group.rows.count == 1 ? "" : "s") at "
                    + "\(group.key), \(seedText)"
                if group.untrained > 0 {
                    line += "; \(group.untrained == group.rows.count ? "none" : "\(group.rows.count - group.untrained)") trained "
                        + "(a run counts as trained when its best test accuracy is more than "
                        + "\(ReportFormat.fixed(RunRecord.untrainedMargin, 0)) points above chance)"
                }
                lines.append(line + ".")
            }
        }
        guard !lines.isEmpty else { return "" }
        return "**At reduced profiles or on data subsets** (shown in the tables and Appendix A, never compared with the "
            + "paper's numbers):\n\n" + lines.joined(separator: "\n") + "\n\n"
    }

    /// Rows with no completed run in any profile, per table and reason.
    private static func notRun(_ tables: [TableResults]) -> String {
        var lines: [String] = []
        for results in tables {
            let rows = results.experiment.file.rows.map(\.id).filter { row in
                !results.profiles.contains { !results.completed(row, $0).isEmpty }
            }
            guard !rows.isEmpty else { continue }
            let missing = rows.filter { results.missingData[$0] != nil }
            let other = rows.filter { results.missingData[$0] == nil }
            if !missing.isEmpty {
                let datasets = Set(missing.compactMap { results.experiment.run($0, profile: .paper)?.dataset.rawValue }).sorted()
                lines.append("- \(results.experiment.file.table): \(missing.count) row\(missing.count == 1 ? "" : "s"), data missing "
                    + "(\(datasets.joined(separator: ", ")) not found under the data root): \(list(missing)).")
            }
            if !other.isEmpty {
                // A row that names another file's row says so, at each profile where it does.
                let shown = other.map { row in
                    "`\(row)`" + Profile.allCases.map { results.sameRunLabel(row, $0) }.joined()
                }
                lines.append("- \(results.experiment.file.table): \(other.count) row\(other.count == 1 ? "" : "s") not run: "
                    + shown.joined(separator: ", ") + ".")
            }
        }
        guard !lines.isEmpty else { return "**Not run**: every row has completed runs.\n" }
        return "**Not run in any profile**:\n\n" + lines.joined(separator: "\n") + "\n"
    }

    /// The matrix of every row at every profile with results: seeds done / expected, data,
    /// status. Rows without results in any profile are listed under "Not run" above.
    private static func coverage(_ tables: [TableResults]) -> String {
        var table = MarkdownTable(["table", "row", "method", "profile", "seeds", "data", "status"], numericColumns: [4])
        for results in tables {
            for group in TwinGroup.groups(in: results.experiment) {
                for member in group.members {
                    for profile in results.profiles where !results.records(member.row, profile).isEmpty {
                        let status = RowStatus(results, member: member, group: group, profile: profile)
                        table.append([results.experiment.file.table, "`\(member.row)`", member.training.method.displayName,
                                      profile.rawValue, status.runs.seedsCell, status.dataCell,
                                      status.text + results.sameRunLabel(member.row, profile)])
                    }
                    let reference = RowRuns.reference(results, row: member.row, profile: .paper)
                    if !reference.records.isEmpty {
                        let readings = [AccuracyStatistic.best, .last].compactMap { statistic -> String? in
                            guard reference.runProtocol == .paper, let paper = group.primary.paper,
                                  let summary = reference.summary(statistic) else { return nil }
                            return "\(statistic.shortName): \(PaperComparison(ours: summary, paper: paper).readingText)"
                        }
                        table.append([results.experiment.file.table, "`\(member.row)`", "IDE (released code)", "paper",
                                      "\(reference.completed.count)", reference.records.allSatisfy(\.readsWholeDataset) ? "complete" : "subset",
                                      readings.isEmpty ? Set(reference.records.map(\.status.name)).sorted().joined(separator: ", ")
                                          : readings.joined(separator: " · ")])
                    }
                }
            }
        }
        guard !table.rows.isEmpty else { return "No result files yet.\n" }
        return "Every row at every profile with result files: seeds completed / expected, whether the runs read the "
            + "whole dataset, and what the runs show (reproduced: at least \(PaperComparison.minimumSeeds) seeds at the "
            + "paper's protocol with the mean within \(ReportFormat.fixed(PaperComparison.tolerance, 0)) of the paper's "
            + "standard deviations).\n\n" + table.markdown
    }

    static func list(_ rows: [String]) -> String { rows.map { "`\($0)`" }.joined(separator: ", ") }
}
