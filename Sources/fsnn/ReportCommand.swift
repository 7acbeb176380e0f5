import ArgumentParser
import Harness

/// `fsnn report [results]`: regenerates `<results>/REPORT.md` and its figures.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write <results>/REPORT.md: paper against ours per table, with figures (gnuplot).")

    @Argument(help: "The results directory.")
    var results = "results"

    @Option(help: "The directory of experiment files.")
    var experiments = "experiments"

    @Flag(help: "Write figure data and gnuplot scripts without running gnuplot.")
    var noRender = false

    @Option(name: .customLong("data-dir"),
            help: "Data root checked for rows without results, to say \"data missing\" and where to put the data (default: $FSNN_DATA, else ./data).")
    var dataDirectory: String?

    func run() throws {
        let outcome = try ReportGenerator(experimentsDirectory: experiments, resultsDirectory: results,
                                          renderFigures: !noRender,
                                          dataRoot: DataRoot.resolve(dataDirectory: dataDirectory)).write()
        try Console.print("wrote \(outcome.reportPath) (\(counted(outcome.figurePaths.count, "figure")), "
            + "\(counted(outcome.problemCount, "missing or incomplete run", plural: "missing or incomplete runs")) listed)")
        for problem in outcome.renderingProblems { try Console.print("figures: \(problem)") }
    }
}
