import Datasets
import Foundation

/// `fsnn report`: reads every experiment file and every result file and writes
/// `<results>/REPORT.md` with one section per file and the verdicts on the paper's claims, plus gnuplot data and scripts in
/// `<results>/figures/`, rendered to PNG when gnuplot is installed, and `summary.csv` /
/// `summary.json` with one record per row × seed. Runs that are missing,
/// failed, interrupted, unfinished or unreadable are listed in their section, never dropped.
public struct ReportGenerator {
    public var experimentsDirectory: String
    public var resultsDirectory: String
    /// Run gnuplot on the figure scripts (when it is installed).
    public var renderFigures: Bool
    /// Where rows without results are looked up, to tell "data missing" (and where to put the
    /// data) from "not run"; nil: not checked.
    public var dataRoot: DataRoot?

    public init(experimentsDirectory: String = "experiments", resultsDirectory: String = "results", renderFigures: Bool = true,
                dataRoot: DataRoot? = nil) {
        self.experimentsDirectory = experimentsDirectory
        self.resultsDirectory = resultsDirectory
        self.renderFigures = renderFigures
        self.dataRoot = dataRoot
    }

    /// What a report run wrote.
    public struct Outcome: Sendable {
        public var reportPath: String
        /// The figure images the report links to, rendered or not.
        public var figurePaths: [String]
        /// Why figures were not rendered (gnuplot missing, a script failing), one line each.
        public var renderingProblems: [String]
        /// Listed runs that are missing or did not complete, and unreadable files.
        public var problemCount: Int
    }

    public func write() throws -> Outcome {
        let experiments = try Experiment.loadAll(in: experimentsDirectory).sorted {
            ($0.file.kind == .convergence ? 1 : 0, $0.file.table) < ($1.file.kind == .convergence ? 1 : 0, $1.file.table)
        }
        let tables = experiments.map { TableResults(experiment: $0, resultsRoot: resultsDirectory, dataRoot: dataRoot) }
        let figuresDirectory = "\(resultsDirectory)/figures"
        try Directories.create(figuresDirectory)

        let sections = tables.map { (results: $0, blocks: Self.blocks($0)) }
        let appendixA = tables.filter { $0.experiment.file.kind == .accuracy }
            .map { (results: $0, blocks: AccuracySection.appendixBlocks($0)) }.filter { !$0.blocks.isEmpty }
        let figures = (sections + appendixA).flatMap(\.blocks).compactMap { block -> GnuplotFigure? in
            if case let .figure(figure) = block { return figure }
            return nil
        }
        let rendering = try renderAll(figures, in: figuresDirectory)
        try Self.removeStaleFigures(in: figuresDirectory, keeping: Set(figures.map(\.name)))

        var markdown = Self.header(tables)
        markdown += SummarySection.markdown(tables)
        var problemCount = 0
        for (results, blocks) in sections {
            let problems = results.problems
            problemCount += problems.count
            markdown += Self.section(results, blocks: blocks, problems: problems, figureProblems: rendering.problemsByFigure)
        }
        markdown += VerdictSection.markdown(tables)
        markdown += "\n## Appendix A — reduced profiles and data subsets\n\n"
            + "Accuracy rows at every profile other than the paper's protocol, and every run on a part of the data. "
            + "They show that a configuration trains and how; their numbers are not comparable with the paper's.\n"
        for (results, blocks) in appendixA {
            markdown += "\n### \(results.experiment.file.title)\n\n" + Self.render(blocks, figureProblems: rendering.problemsByFigure)
        }
        if appendixA.isEmpty { markdown += "\nNo such runs.\n" }
        markdown += "\n## Appendix B — diagnostics per row\n\n" + DiagnosticsAppendix.markdown(tables)
        markdown += "\n## Appendix C — reference behaviours and data notes per table\n\n" + Self.deviationsByTable(tables)
        var revisions = SourceRevisions(directory: experimentsDirectory)
        markdown += "\n## Appendix D — provenance and commands\n\n" + ProvenanceAppendix.markdown(tables, revisions: &revisions)
        markdown += Self.strayDirectories(tables, resultsRoot: resultsDirectory)
        let reportPath = "\(resultsDirectory)/REPORT.md"
        try OutputFile.write(markdown, to: reportPath)
        try ResultSummary(tables).write(in: resultsDirectory)
        return Outcome(reportPath: reportPath, figurePaths: figures.map { "\(figuresDirectory)/\($0.name).png" },
                       renderingProblems: rendering.problems, problemCount: problemCount)
    }

    static func blocks(_ results: TableResults) -> [ReportBlock] {
        switch results.experiment.file.kind {
        case .accuracy: return AccuracySection.paperBlocks(results)
        case .memory: return MemorySection.blocks(results)
        case .rates: return RatesSection.blocks(results)
        case .convergence: return ConvergenceSection.blocks(results)
        }
    }

    // MARK: Figures

    /// Writes every figure's data and script, and renders them when asked and possible.
    private func renderAll(_ figures: [GnuplotFigure], in directory: String) throws
        -> (problems: [String], problemsByFigure: [String: String])
    {
        let gnuplot = renderFigures ? Gnuplot.executable() : nil
        let terminal = gnuplot.map(Gnuplot.terminal) ?? "pngcairo"
        var problems: [String] = [], byFigure: [String: String] = [:]
        if renderFigures, gnuplot == nil, !figures.isEmpty {
            problems.append("gnuplot not found on PATH (Debian: gnuplot-nox); figure scripts written, not rendered")
        }
        for figure in figures {
            try figure.writeFiles(in: directory, terminal: terminal)
            guard let gnuplot else {
                byFigure[figure.name] = renderFigures ? "gnuplot not found" : "rendering skipped"
                continue
            }
            let (status, error) = try Gnuplot.run(gnuplot, ["\(figure.name).gp"], in: directory)
            if status != 0 {
                byFigure[figure.name] = "gnuplot failed"
                problems.append("\(figure.name).gp: gnuplot exited with \(status): \(error)")
            }
        }
        return (problems, byFigure)
    }

    // MARK: Markdown

    private static func header(_ tables: [TableResults]) -> String {
        let records = tables.flatMap { $0.records.values.joined() }
        let complete = records.filter { $0.status == .complete }.count
        return """
            # fsnn reproduction report

            Generated by `fsnn report` from \(tables.count) experiment files and \(records.count) result files \
            (\(complete) complete); every number and sentence below is computed from them.

            Order: the summary; each table at the paper's protocol; the verdicts on the paper's claims; the \
            appendices — reduced profiles and data subsets (A), per-epoch diagnostics (B), reference behaviours \
            per table (C), provenance and commands (D).

            - Accuracies are test accuracies in percent.
            - Over several seeds a cell reads mean ± standard deviation [95 % t-interval of the mean]; a single \
            run reads value [95 % Wilson interval for its test-set size] (n = 1).
            - Runs within \(ReportFormat.fixed(RunRecord.untrainedMargin, 0)) points of chance are "not trained" \
            and left out of every statistic and comparison.
            - Δ against the paper appears only at the paper's protocol, in points and in the paper's standard \
            deviations.


            """
    }

    private static func section(_ results: TableResults, blocks: [ReportBlock], problems: [String],
                                figureProblems: [String: String]) -> String {
        let file = results.experiment.file
        var text = "\n## \(file.title)\n\n"
        text += "Experiment file: `\(results.displayPath)`\n\n"
        if let notes = file.notes { text += notes.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n" }
        text += render(blocks, figureProblems: figureProblems)
        if let cost = ProtocolCost(results).markdown { text += cost + "\n" }
        if !problems.isEmpty {
            text += "**Runs not complete** (\(problems.count)):\n\n" + problems.map { "- \($0)\n" }.joined()
        }
        return text
    }

    private static func render(_ blocks: [ReportBlock], figureProblems: [String: String]) -> String {
        var text = ""
        for block in blocks {
            switch block {
            case let .text(markdown):
                text += markdown + "\n"
            case let .figure(figure):
                text += "![\(figure.title)](figures/\(figure.name).png)\n"
                if let problem = figureProblems[figure.name] {
                    text += "\n*(figure not rendered: \(problem); run `gnuplot \(figure.name).gp` in `figures/`)*\n"
                }
                text += "\n"
            }
        }
        return text
    }

    /// Per table: the reference behaviours its rows reproduce and the data notes of its rows.
    private static func deviationsByTable(_ tables: [TableResults]) -> String {
        var text = ""
        for results in tables {
            var parts: [String] = []
            if let quirks = QuirkNote.text(results.experiment) { parts.append(quirks) }
            let notes = results.experiment.runs(.paper).compactMap { run in run.dataNote.map { (run.row, $0) } }
            let distinctNotes = notes.map(\.1).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for note in distinctNotes {
                parts.append("Data: \(note) (\(SummarySection.list(notes.filter { $0.1 == note }.map(\.0)))).\n")
            }
            guard !parts.isEmpty else { continue }
            text += "**\(results.experiment.file.title)**\n\n" + parts.joined(separator: "\n") + "\n"
        }
        return text.isEmpty ? "No row reproduces a reference behaviour or carries a data note.\n" : text
    }

    /// Deletes the figure files (`.dat`, `.gp`, `.png`) of figures this report no longer draws: the
    /// figures folder is the report's own. Only regular files and links are removed
    /// (`OutputFile.remove`); anything else there is an error naming it.
    private static func removeStaleFigures(in directory: String, keeping names: Set<String>) throws {
        let files: [String]
        do { files = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw RunFileError(path: directory, operation: "list", error)
        }
        for file in files.sorted() {
            let url = URL(fileURLWithPath: file)
            guard ["dat", "gp", "png"].contains(url.pathExtension), !names.contains(url.deletingPathExtension().lastPathComponent)
            else { continue }
            try OutputFile.remove("\(directory)/\(file)")
        }
    }

    /// Result directories that belong to no experiment file.
    private static func strayDirectories(_ tables: [TableResults], resultsRoot: String) -> String {
        let known = Set(tables.map(\.experiment.file.table) + ["figures"])
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: resultsRoot)) ?? []
        let stray = entries.sorted().filter { entry in
            var isDirectory: ObjCBool = false
            return !known.contains(entry)
                && FileManager.default.fileExists(atPath: "\(resultsRoot)/\(entry)", isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
        guard !stray.isEmpty else { return "" }
        return "\n## Other result directories\n\nNo experiment file has these tables; their results are not shown:\n\n"
            + stray.map { "- `\($0)/`\n" }.joined()
    }
}
