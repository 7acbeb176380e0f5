/// A piece of a report section: Markdown text, or a figure that becomes an image link once
/// rendered.
enum ReportBlock {
    case text(String)
    case figure(GnuplotFigure)
}

/// How an experiment file's rows pair up: each IDE row with the STBP row that names it as its
/// twin; rows without a partner stand alone.
struct RowPair {
    var ide: ExperimentRun?
    var stbp: ExperimentRun?

    /// The row whose label and paper numbers the line shows.
    var primary: ExperimentRun { (ide ?? stbp)! }

    /// Pairs in file order (resolved for the paper profile; the method of a row is the same in
    /// every profile).
    static func pairs(in experiment: Experiment) -> [RowPair] {
        let runs = experiment.runs(.paper)
        let twinned = Set(runs.compactMap { run in run.twin.flatMap { id in runs.contains { $0.row == id } ? run.row : nil } })
        return runs.compactMap { run in
            if twinned.contains(run.row) { return nil }
            if run.training.method == .ide {
                return RowPair(ide: run, stbp: runs.first { $0.twin == run.row })
            }
            return RowPair(ide: nil, stbp: run)
        }
    }
}

extension RunRecord {
    /// The run's best-epoch test accuracy, the statistic compared with the paper's.
    var bestAccuracy: Double? { bestTestAccuracy?.accuracy }
}
