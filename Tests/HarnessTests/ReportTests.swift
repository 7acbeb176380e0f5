import Foundation
import Harness
import TestSupport
import Testing

/// An experiment directory and a results directory for report tests.
private struct ReportFixture {
    let directory: TemporaryDirectory
    var experiments: String { directory.file("experiments") }
    var results: String { directory.file("results") }

    init(files: [String: String]) throws {
        directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: experiments, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: "\(experiments)/\(name)", atomically: true, encoding: .utf8)
        }
    }

    func store(_ record: RunRecord) throws {
        try ResultStore.write(record, to: "\(results)/\(record.table)/\(record.row)/seed-\(record.seed).h5")
    }

    func report(render: Bool = false) throws -> (outcome: ReportGenerator.Outcome, text: String) {
        let outcome = try ReportGenerator(experimentsDirectory: experiments, resultsDirectory: results,
                                          renderFigures: render).write()
        return (outcome, try String(contentsOfFile: outcome.reportPath, encoding: .utf8))
    }
}

/// A file header with three quick seeds.
private func experimentHeader(table: String, title: String, kind: String) -> String {
    """
    table: \(table)
    title: "\(title)"
    kind: \(kind)
    defaults:
      neuron: {lambda: 0.95}
      seeds: [0, 1, 2, 3, 4]
      epochs: 100
    profiles:
      paper: {}
      quick: {epochs: 3, seeds: [0, 1, 2]}
      smoke: {epochs: 1, seeds: [0]}
    rows:

    """
}

private func row(_ id: String, model: String = "mnist_64c5s_f64c5", dataset: String = "mnist", neuron: String = "if",
                 t: Int = 30, twin: String? = nil, paper: String? = nil, extra: [String] = []) -> String {
    var lines = ["  - id: \(id)", "    label: \"\(id) label\"", "    dataset: \(dataset)", "    model: \(model)",
                 "    neuron: \(neuron)", "    time_steps: \(t)"]
    if let twin { lines += ["    twin: \(twin)", "    method: stbp"] }
    if let paper { lines.append("    paper: \(paper)") }
    return (lines + extra).joined(separator: "\n") + "\n"
}

@Suite struct ReportTests {
    @Test func accuracyTableShowsPaperOursDeltaStbpAndListsFailedAndMissingRuns() throws {
        let file = experimentHeader(table: "table1", title: "Table 1 — test", kind: "accuracy")
            + row("mnist-if", paper: "{mean: 99.49, std: 0.04, best: 99.55}") + row("mnist-if-stbp", twin: "mnist-if")
            + row("mnist-lif", neuron: "lif", paper: "{mean: 99.53, std: 0.04, best: 99.59}")
            + row("mnist-lif-stbp", neuron: "lif", twin: "mnist-lif")
        let fixture = try ReportFixture(files: ["table1.yaml": file])
        try fixture.store(syntheticRecord(row: "mnist-if", seed: 0, testAccuracies: [98.0, 98.75, 98.5]))
        try fixture.store(syntheticRecord(row: "mnist-if", seed: 1, testAccuracies: [99.25, 99.0, 99.1]))
        try fixture.store(syntheticRecord(row: "mnist-if", seed: 2, testAccuracies: [99.9],
                                          status: .failed(StopPoint(epoch: 2, batch: 17, message: "loss is NaN"))))
        try fixture.store(syntheticRecord(row: "mnist-if-stbp", seed: 0, method: "stbp", testAccuracies: [96.0, 97.0, 96.5]))
        try fixture.store(syntheticRecord(row: "mnist-lif-stbp", seed: 1, method: "stbp", testAccuracies: [95.5],
                                          status: .running))

        let (outcome, text) = try fixture.report()
        // mean(98.75, 99.25) = 99.00, sample std = 0.3536, Δ = 99.00 − 99.49; the failed seed is left out.
        #expect(text.contains("| mnist-if label | mnist 5000/1000 | 99.49 ± 0.04 (99.55) | 99.00 ± 0.35 (99.25) | 2/3 | −0.49 "
            + "| 97.00 ± — (97.00) | 1/3 | quick | 3 |"), "\(text)")
        #expect(text.contains("| mnist-lif label | mnist | 99.53 ± 0.04 (99.59) | — | 0/3 | — | — | 0/3 | quick | — |"), "\(text)")
        #expect(!text.contains("mnist-if-stbp label"), "the STBP twin shares its IDE row's line")
        #expect(text.contains("- `mnist-if` seed 2 (quick): failed at epoch 2, batch 17: loss is NaN"))
        #expect(text.contains("- `mnist-if-stbp` (quick): missing seeds 1, 2"))
        #expect(text.contains("- `mnist-lif` (quick): not run (seeds 0, 1, 2)"))
        #expect(text.contains("- `mnist-lif-stbp` seed 1 (quick): incomplete: the file says running after 1 epochs"))
        #expect(text.contains("- `mnist-lif-stbp` (quick): missing seeds 0, 2"))
        #expect(text.contains("**Missing or incomplete runs** (5):"))
        #expect(outcome.problemCount == 5)
        #expect(text.contains("## Table 1 — test"))
        #expect(text.contains("5 result files (profiles: quick; source revisions: abc123def456)"))
    }

    @Test func severalProfilesGetOneLineEach() throws {
        let file = experimentHeader(table: "t", title: "T", kind: "accuracy") + row("a", paper: "{mean: 90.0}")
        let fixture = try ReportFixture(files: ["t.yaml": file])
        try fixture.store(syntheticRecord(table: "t", row: "a", seed: 0, profile: .smoke, testAccuracies: [50.0]))
        // Paths do not name the profile: a quick run of seed 0 would replace the smoke run.
        try fixture.store(syntheticRecord(table: "t", row: "a", seed: 1, profile: .quick, testAccuracies: [80.0]))
        let text = try fixture.report().text
        #expect(text.contains("| a label | mnist 5000/1000 | 90.00 | 80.00 ± — (80.00) | 1/3 | −10.00 | — | — | quick | 1 |"), "\(text)")
        #expect(text.contains("| a label | mnist 5000/1000 | 90.00 | 50.00 ± — (50.00) | 1/1 | −40.00 | — | — | smoke | 1 |"), "\(text)")
        #expect(text.contains("- `a` (quick): missing seeds 0, 2"))
    }

    @Test func memoryTableByTimeStepsForBothMethodsWithFigure() throws {
        var file = experimentHeader(table: "table4", title: "Table 4 — memory", kind: "memory")
        for t in [5, 30] {
            file += row("mnist-t\(t)", t: t) + row("mnist-t\(t)-stbp", t: t, twin: "mnist-t\(t)")
        }
        let fixture = try ReportFixture(files: ["table4.yaml": file])
        for t in [5, 30] {
            for seed in 0..<3 {
                try fixture.store(syntheticRecord(table: "table4", row: "mnist-t\(t)", seed: seed, timeSteps: t))
            }
        }
        try fixture.store(syntheticRecord(table: "table4", row: "mnist-t5-stbp", seed: 0, method: "stbp", timeSteps: 5))
        let (outcome, text) = try fixture.report(render: true)
        // syntheticRecord: peak = 400,000,000 + 6 (+ T·10 MB for STBP) bytes; transient = 100,000,000 (+ T·10 MB).
        #expect(text.contains("| network | method | profile | T=5 | T=30 |"), "\(text)")
        #expect(text.contains("| mnist · mnist_64c5s_f64c5 · IF | IDE | quick | 381.5 / 95.4 | 381.5 / 95.4 |"), "\(text)")
        #expect(text.contains("| mnist · mnist_64c5s_f64c5 · IF | STBP | quick | 429.2 / 143.1 | — |"), "\(text)")
        #expect(text.contains("- `mnist-t30-stbp` (quick): not run (seeds 0, 1, 2)"))
        #expect(text.contains("![Table 4 — memory (profile quick)](figures/table4-quick-memory.png)"))
        let figures = fixture.results + "/figures"
        let data = try String(contentsOfFile: "\(figures)/table4-quick-memory.dat", encoding: .utf8)
        #expect(data.contains("# mnist · mnist_64c5s_f64c5 · IF · STBP · peak\n5.0 429.1534481048584"), "\(data)")
        #expect(FileManager.default.fileExists(atPath: "\(figures)/table4-quick-memory.gp"))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") {
            #expect(outcome.renderingProblems.isEmpty, "\(outcome.renderingProblems)")
            let png = try Data(contentsOf: URL(fileURLWithPath: "\(figures)/table4-quick-memory.png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG file")
            #expect(!text.contains("figure not rendered"))
        }
    }

    @Test func ratesTablePerLayerAndConvergenceTable() throws {
        let rates = experimentHeader(table: "table5", title: "Table 5 — rates", kind: "rates")
            + row("a-if") + row("a-lif", neuron: "lif") + row("a-lif-stbp", neuron: "lif", twin: "a-lif")
        let convergence = experimentHeader(table: "figure", title: "Figure — convergence", kind: "convergence")
            .replacingOccurrences(of: "  epochs: 100\n", with: "  epochs: 100\n  convergence: {steps: 3}\n")
            + row("c-if") + row("c-if-stbp", twin: "c-if")
        let fixture = try ReportFixture(files: ["table5.yaml": rates, "figure.yaml": convergence])
        for seed in 0..<2 {
            try fixture.store(syntheticRecord(table: "table5", row: "a-if", seed: seed, layers: ["L1", "L2"]))
        }
        var traced = syntheticRecord(table: "figure", row: "c-if", seed: 0)
        traced.convergence = [
            ConvergenceTrace(name: "untrained", epoch: 0, samples: 16, residualMean: [0.303, 0.143, 0.045], residualStd: [0, 0, 0]),
            ConvergenceTrace(name: "trained", epoch: 3, samples: 16, residualMean: [0.2, 0.1, 0.02], residualStd: [0, 0, 0]),
        ]
        try fixture.store(traced)
        let text = try fixture.report().text
        // Layer rates 0.004 and 0.005 over 12,544 and 12,545 neurons; SOPs 1.5e6 + 1.5e6 + 1.
        #expect(text.contains("| row | method | profile | L1 rate | L2 rate | all layers | SOPs / sample | test acc. (best) | n |"), "\(text)")
        #expect(text.contains("| a-if label | IDE | quick | 0.400 % | 0.500 % | 0.450 % | 3.00 M | 98.75 ± 0.00 (98.75) | 2/3 |"), "\(text)")
        #expect(text.contains("| a-lif-stbp label | STBP | quick | — | — | — | — | — | 0/3 |"), "\(text)")
        #expect(text.contains("| c-if label | IDE | untrained | quick | 3.03e-01 |"), "\(text)")
        #expect(text.contains("| c-if label | IDE | trained | quick | 2.00e-01 |"), "\(text)")
        #expect(text.contains("| c-if-stbp label | STBP | trained | quick | — |"), "\(text)")
        #expect(!text.contains("| c-if-stbp label | STBP | untrained"))
        #expect(text.contains("figures/figure-quick-mnist-mnist-64c5s-f64c5.png"))
        #expect(text.contains("figure not rendered: rendering skipped"))
        // The convergence figure comes after the tables.
        let tableIndex = try #require(text.range(of: "## Table 5 — rates")).lowerBound
        let figureIndex = try #require(text.range(of: "## Figure — convergence")).lowerBound
        #expect(tableIndex < figureIndex)
    }

    @Test func noResultsUnreadableFilesAndStrayDirectoriesAreListed() throws {
        let file = experimentHeader(table: "table1", title: "Table 1", kind: "accuracy")
            + row("a", paper: "{mean: 99.0, std: 0.1, best: 99.2}") + row("b")
        let fixture = try ReportFixture(files: ["table1.yaml": file, "other.yaml": file.replacingOccurrences(of: "table: table1", with: "table: t2")])
        try FileManager.default.createDirectory(atPath: fixture.results + "/t2/a", withIntermediateDirectories: true)
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: fixture.results + "/t2/a/seed-0.h5"))
        try fixture.store(syntheticRecord(table: "t2", row: "gone", seed: 0))
        try fixture.store(syntheticRecord(table: "old-table", row: "x", seed: 0))
        let (outcome, text) = try fixture.report()
        #expect(text.contains("No results yet: every row is missing (`a`, `b`)."), "\(text)")
        #expect(text.contains("| a label | mnist | 99.00 ± 0.10 (99.20) | — | — | — | — | — | — | — |"), "\(text)")
        #expect(text.contains("- `t2/a/seed-0.h5`: unreadable: "), "\(text)")
        #expect(text.contains("- `t2/gone/`: results for a row that is not in"), "\(text)")
        #expect(text.contains("## Other result directories"))
        #expect(text.contains("- `old-table/`"))
        #expect(outcome.problemCount == 4)  // table1: no results; t2: no results, unreadable, stray
    }

    @Test func committedExperimentFilesReportWithoutResults() throws {
        let directory = try TemporaryDirectory()
        let outcome = try ReportGenerator(experimentsDirectory: CommittedExperiments.directory,
                                          resultsDirectory: directory.file("results"), renderFigures: false).write()
        let text = try String(contentsOfFile: outcome.reportPath, encoding: .utf8)
        for title in ["Table 1 — MNIST and Fashion-MNIST", "Table 2 — N-MNIST", "Table 3 — CIFAR-10 and CIFAR-100",
                      "Table 4 — training memory by time steps, IDE vs STBP", "Table 5 — firing sparsity",
                      "Figure — convergence to the equilibrium"] {
            #expect(text.contains("## \(title)"), "missing section \(title)")
        }
        #expect(text.contains("| MNIST · 64C5s (F64C5) · IF · T=30 | mnist | 99.49 ± 0.04 (99.55) | — |"))
        #expect(text.contains("CIFAR-10 · CIFARNet-F · LIF λ=0.99 · T=100 † | cifar10 | 92.52 ± 0.17 (92.82)"), "\(text)")
    }
}
