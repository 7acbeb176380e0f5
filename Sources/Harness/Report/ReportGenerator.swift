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
        let figures = sections.flatMap(\.blocks).compactMap { block -> GnuplotFigure? in
            if case let .figure(figure) = block { return figure }
            return nil
        }
        let rendering = try renderAll(figures, in: figuresDirectory)

        var markdown = Self.header(tables)
        var problemCount = 0
        for (results, blocks) in sections {
            let problems = results.problems
            problemCount += problems.count
            markdown += Self.section(results, blocks: blocks, problems: problems, figureProblems: rendering.problemsByFigure)
        }
        markdown += VerdictSection.markdown(tables)
        markdown += Self.strayDirectories(tables, resultsRoot: resultsDirectory)
        let reportPath = "\(resultsDirectory)/REPORT.md"
        try OutputFile.write(markdown, to: reportPath)
        try ResultSummary(tables).write(in: resultsDirectory)
        return Outcome(reportPath: reportPath, figurePaths: figures.map { "\(figuresDirectory)/\($0.name).png" },
                       renderingProblems: rendering.problems, problemCount: problemCount)
    }

    static func blocks(_ results: TableResults) -> [ReportBlock] {
        switch results.experiment.file.kind {
        case .accuracy: return AccuracySection.blocks(results)
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
        let revisions = Set(records.map(\.provenance.gitRevision)).sorted()
        let profiles = Profile.allCases.filter { profile in records.contains { $0.profile == profile } }
        return """
            # fsnn reproduction report

            Generated by `fsnn report` from the experiment files and \(records.count) result files \
            (profiles: \(profiles.isEmpty ? "none" : profiles.map(\.rawValue).joined(separator: ", ")); \
            source revisions: \(revisions.isEmpty ? "none" : revisions.joined(separator: ", "))).

            Accuracies are test accuracies in percent. For each run the best epoch counts; "ours" is the mean \
            ± sample standard deviation (n − 1; "—" for a single run) with the best run in parentheses, over \
            the runs that completed; n is completed / expected seeds; Δ = ours − paper (means). Runs that \
            are missing, failed, were interrupted or are unfinished are listed under each table and left \
            out of its numbers. Profiles other than `paper` use fewer epochs or less data and are not \
            comparable with the paper.

            """
    }

    private static func section(_ results: TableResults, blocks: [ReportBlock], problems: [String],
                                figureProblems: [String: String]) -> String {
        let file = results.experiment.file
        var text = "\n## \(file.title)\n\n"
        text += "Experiment file: `\(relative(results.experiment.path))`\n\n"
        if let notes = file.notes { text += notes.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n" }
        if let quirks = QuirkNote.text(results.experiment) { text += quirks + "\n" }
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
        if problems.isEmpty {
            text += "All expected runs are complete.\n"
        } else {
            text += "**Missing or incomplete runs** (\(problems.count)):\n\n" + problems.map { "- \($0)\n" }.joined()
        }
        return text
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

    /// `path` relative to the working directory when it lies below it.
    private static func relative(_ path: String) -> String {
        let base = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}
