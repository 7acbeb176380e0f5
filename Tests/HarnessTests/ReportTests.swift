import Datasets
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

    func report(render: Bool = false, dataRoot: DataRoot? = nil) throws -> (outcome: ReportGenerator.Outcome, text: String) {
        let outcome = try ReportGenerator(experimentsDirectory: experiments, resultsDirectory: results,
                                          renderFigures: render, dataRoot: dataRoot).write()
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
        #expect(text.contains("- `mnist-lif-stbp` seed 1 (quick): incomplete: the file says running after 1 epoch (still"))
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
        #expect(text.contains("| row | method | profile | L1 rate | L2 rate | all layers | all layers ÷ 5 (B4) | SOPs / sample | test acc. (best) | n |"), "\(text)")
        #expect(text.contains("| a-if label | IDE | quick | 0.400 % | 0.500 % | 0.450 % | 0.090 % | 3.00 M | 98.75 ± 0.00 (98.75) | 2/3 |"), "\(text)")
        #expect(text.contains("| a-lif-stbp label | STBP | quick | — | — | — | — | — | — | 0/3 |"), "\(text)")
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

    /// The note says what was measured (batch, iterations), read from the runs, and where STBP's
    /// peak overtakes IDE's, as fsnn allocates Broyden's memory and as the reference does.
    @Test func memoryNoteSaysWhatWasMeasuredAndWhereTheMethodsCross() throws {
        var file = experimentHeader(table: "table4", title: "Table 4 — memory", kind: "memory")
        for t in [5, 30, 100] {
            file += row("m-t\(t)", t: t) + row("m-t\(t)-stbp", t: t, twin: "m-t\(t)")
                + row("m-t\(t)-ref", t: t, extra: ["    quirks: [broyden_full_allocation]"])
        }
        let fixture = try ReportFixture(files: ["table4.yaml": file])
        let mib = 1_048_576
        // IDE 400 MiB at every T (the reference's allocation 500 MiB); STBP 100 MiB + 5 MiB per step.
        for t in [5, 30, 100] {
            for (row, method, peak) in [("m-t\(t)", "ide", 400 * mib), ("m-t\(t)-ref", "ide", 500 * mib),
                                        ("m-t\(t)-stbp", "stbp", 100 * mib + 5 * t * mib)] {
                var record = syntheticRecord(table: "table4", row: row, method: method, timeSteps: t)
                record.settings.append(ConfigEntry(name: "batch_size", value: .integer(16)))
                record.memory = MemoryRecord(peakBytes: [2 * peak, peak, peak - 1], transientBytes: [peak, peak / 2, 0])
                try fixture.store(record)
            }
        }
        let text = try fixture.report().text
        #expect(text.contains("| mnist · mnist_64c5s_f64c5 · IF | IDE · reference Broyden allocation | quick | 500.0 / 250.0 |"),
                "\(text)")
        #expect(text.contains("- Profile quick: batch 16, 3 training iterations per run; the cells are the maximum over the "
            + "iterations after the first"), "\(text)")
        // IDE − STBP: 150 MiB at T = 30, −200 at T = 100, so equal at 30 + 150/350 · 70 = 60; reference:
        // 250, −100 → 80.
        #expect(text.contains("as fsnn allocates Broyden's memory, IDE's peak exceeds STBP's up to T = 30 and is below it "
            + "from T = 100 (equal at T ≈ 60 by linear interpolation); with the reference's allocation, IDE's peak exceeds "
            + "STBP's up to T = 30 and is below it from T = 100 (equal at T ≈ 80"), "\(text)")
        #expect(text.contains("STBP grows by 5.00 MiB per time step"), "\(text)")
        #expect(text.contains("**The paper's claim and what was measured.**"))
        #expect(!text.contains("batch 128"), "no claim the runs do not support")
    }

    /// One iteration per run: the note says the cells include the first iteration's allocation.
    @Test func memoryNoteOfOneIteration() throws {
        let file = experimentHeader(table: "table4", title: "Table 4", kind: "memory") + row("m-t5", t: 5)
        let fixture = try ReportFixture(files: ["table4.yaml": file])
        var record = syntheticRecord(table: "table4", row: "m-t5", timeSteps: 5)
        record.memory = MemoryRecord(peakBytes: [7], transientBytes: [3])
        try fixture.store(record)
        let text = try fixture.report().text
        #expect(text.contains("- Profile quick: batch size not recorded, 1 training iteration per run, so the cells include "
            + "the first iteration's allocation"), "\(text)")
    }

    /// Rows without results whose data is absent say "data missing", and the list under the
    /// table names each missing dataset once with where to put it.
    @Test func rowsWithoutDataSayDataMissingOncePerDataset() throws {
        let file = experimentHeader(table: "t3", title: "T3", kind: "accuracy")
            + row("c100-a", model: "alexnet_f", dataset: "cifar100")
            + row("c100-a-stbp", model: "alexnet_f", dataset: "cifar100", twin: "c100-a")
            + row("c100-b", model: "alexnet_f", dataset: "cifar100")
            + row("m", model: "fmnist_f400", dataset: "fashion-mnist", paper: "{mean: 99.0}")
        let fixture = try ReportFixture(files: ["t3.yaml": file])
        try fixture.store(syntheticRecord(table: "t3", row: "m", seed: 0))
        let data = try GeneratedData()
        let emptyRoot = data.root
        let text = try fixture.report(dataRoot: emptyRoot).text
        #expect(text.contains("| c100-a label | cifar100 | — | data missing | 0/3 | — | data missing | 0/3 | quick | — |"), "\(text)")
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("- data missing") }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("data missing for `c100-a`, `c100-a-stbp`, `c100-b`: cifar100 not found under "
            + "\(emptyRoot.path). ") == true, "\(lines)")
        #expect(lines.first?.contains("cifar-100-binary.tar.gz") == true && lines.first?.contains(emptyRoot.path + "/cifar100") == true)
        #expect(!text.contains("`c100-a` (quick): not run"), "\(text)")
        #expect(text.contains("- `m` (quick): missing seeds 1, 2"), "rows whose data exists are listed as before")
    }

    /// The quirks the rows list are described under the table, with the rows that list them.
    @Test func quirksOfTheRowsAreStatedUnderTheTable() throws {
        let file = experimentHeader(table: "t", title: "T", kind: "accuracy")
            + row("a", extra: ["    quirks: [spectral_reshaped_kernel_norm]"]) + row("b")
        let fixture = try ReportFixture(files: ["t.yaml": file])
        let text = try fixture.report().text
        #expect(text.contains("- B9 `spectral_reshaped_kernel_norm` — the spectral norm of the reshaped kernel matrix, "
            + "not of the convolution operator: `a`\n"), "\(text)")
    }

    /// A result written before selections were recorded, which evaluated part of the test set,
    /// is marked; the whole test set in file order is not.
    @Test func partialFileOrderEvaluationsAreMarked() throws {
        let file = experimentHeader(table: "t", title: "T", kind: "accuracy") + row("a") + row("b")
        let fixture = try ReportFixture(files: ["t.yaml": file])
        var old = syntheticRecord(table: "t", row: "a")
        old.provenance.testSelection = .unrecorded
        old.settings.append(ConfigEntry(name: "test_batches", value: .integer(1)))
        try fixture.store(old)
        var whole = syntheticRecord(table: "t", row: "b")
        whole.provenance.testSelection = .unrecorded
        whole.provenance.testSamples = 10_000
        try fixture.store(whole)
        let text = try fixture.report().text
        #expect(text.contains("| a label | mnist 5000/1000 (file order ‡) |"), "\(text)")
        #expect(text.contains("| b label | mnist 5000/10000 |"), "\(text)")
        #expect(text.contains("‡ Result written before fsnn chose subsets class-stratified"))
    }

    /// summary.csv and summary.json: one record per row × seed of each profile with results,
    /// expected seeds without a file included.
    @Test func summaryFilesHoldOneRecordPerRowAndSeed() throws {
        let file = experimentHeader(table: "t", title: "T", kind: "accuracy") + row("a") + row("a-stbp", twin: "a")
        let fixture = try ReportFixture(files: ["t.yaml": file])
        try fixture.store(syntheticRecord(table: "t", row: "a", seed: 0, testAccuracies: [90, 92.5, 91]))
        try fixture.store(syntheticRecord(table: "t", row: "a", seed: 1, testAccuracies: [80],
                                          status: .failed(StopPoint(epoch: 2, batch: 3, message: "NaN, \"loss\""))))
        _ = try fixture.report()
        let csv = try String(contentsOfFile: fixture.results + "/summary.csv", encoding: .utf8)
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.first == "table,row,method,profile,data,seed,status,best_test_acc,best_epoch,last_test_acc,"
            + "epochs_completed,firing_rate,sops_per_sample,peak_bytes,transient_bytes,git_revision")
        #expect(lines.count == 1 + 6, "3 quick seeds of 2 rows: \(lines)")
        #expect(lines[1] == "t,a,ide,quick,mnist 5000/1000,0,complete,92.5,2,91.0,3,\(0.004 * 12_544 / 12_544),1500000.0,400000006,100000000,abc123def456",
                "\(lines[1])")
        #expect(lines[2].hasPrefix("t,a,ide,quick,mnist 5000/1000,1,failed,80.0,1,80.0,1,"))
        #expect(lines[3] == "t,a,ide,quick,mnist,2,not run,,,,,,,,,")
        #expect(lines[4] == "t,a-stbp,stbp,quick,mnist,0,not run,,,,,,,,,")

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.results + "/summary.json")))
        let records = try #require(json as? [[String: Any]])
        #expect(records.count == 6)
        #expect(records[0]["best_test_acc"] as? Double == 92.5 && records[0]["peak_bytes"] as? Int == 400_000_006)
        #expect(records[3]["status"] as? String == "not run" && records[3]["best_test_acc"] is NSNull)
        #expect(Set(records[3].keys) == Set(records[0].keys) && records[0].count == 16)
    }

    /// Figures: per-epoch accuracy of IDE and STBP per row (mean line, min–max band over seeds),
    /// per-layer rate bars, the convergence traces in distinct styles; axes fitted, keys outside.
    @Test func figuresOfAccuracyRatesAndConvergence() throws {
        let accuracy = experimentHeader(table: "t1", title: "T1", kind: "accuracy") + row("a") + row("a-stbp", twin: "a")
        let rates = experimentHeader(table: "t5", title: "T5", kind: "rates")
            + row("r-if") + row("r-lif", neuron: "lif") + row("r-lif-stbp", neuron: "lif", twin: "r-lif")
        let fixture = try ReportFixture(files: ["t1.yaml": accuracy, "t5.yaml": rates])
        try fixture.store(syntheticRecord(table: "t1", row: "a", seed: 0, testAccuracies: [90, 92, 93]))
        try fixture.store(syntheticRecord(table: "t1", row: "a", seed: 1, testAccuracies: [88, 91, 95]))
        try fixture.store(syntheticRecord(table: "t1", row: "a-stbp", seed: 0, method: "stbp", testAccuracies: [85, 86, 87]))
        for row in ["r-if", "r-lif", "r-lif-stbp"] {
            try fixture.store(syntheticRecord(table: "t5", row: row, layers: ["L1", "L2", "L3"]))
        }
        let (outcome, text) = try fixture.report(render: true)
        let figures = fixture.results + "/figures"
        #expect(text.contains("](figures/t1-quick-accuracy.png)") && text.contains("](figures/t5-quick-rates.png)"), "\(text)")
        let data = try String(contentsOfFile: "\(figures)/t1-quick-accuracy.dat", encoding: .utf8)
        #expect(data.contains("# band: IDE min–max\n1.0 88.0 90.0\n2.0 91.0 92.0\n3.0 93.0 95.0"), "\(data)")
        #expect(data.contains("# IDE (mean of 2 seeds)\n1.0 89.0\n2.0 91.5\n3.0 94.0"), "\(data)")
        #expect(data.contains("# STBP (1 seed)\n1.0 85.0"), "\(data)")
        #expect(!data.contains("band: STBP"), "one seed has no band")
        let script = try String(contentsOfFile: "\(figures)/t1-quick-accuracy.gp", encoding: .utf8)
        #expect(script.contains("set xrange [1.0:3.0]") && script.contains("set key below"), "\(script)")
        #expect(script.contains("dt 1") && script.contains("dt 2") && script.contains("with filledcurves"), "\(script)")
        let bars = try String(contentsOfFile: "\(figures)/t5-quick-rates.gp", encoding: .utf8)
        #expect(bars.contains("set xtics (\"L1\" 0, \"L2\" 1, \"L3\" 2)") && bars.contains("with boxes"), "\(bars)")
        let barData = try String(contentsOfFile: "\(figures)/t5-quick-rates.dat", encoding: .utf8)
        // Three bars per layer, 0.8/3 wide, centred on the layer: rates 0.4 %, 0.5 %, 0.6 %.
        #expect(barData.contains("# bars: IDE-IF\n\(-0.8 / 3) 0.4"), "\(barData)")
        #expect(barData.contains("# bars: STBP-LIF\n\(0.8 / 3) 0.4"), "\(barData)")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") {
            #expect(outcome.renderingProblems.isEmpty, "\(outcome.renderingProblems)")
            for name in ["t1-quick-accuracy", "t5-quick-rates"] {
                let png = try Data(contentsOf: URL(fileURLWithPath: "\(figures)/\(name).png"))
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is a PNG file")
            }
        }
    }

    /// The verdicts: IDE against STBP with three seeds each (tested) and with one (descriptive),
    /// memory flat in T and below STBP, and claims without data said to be unassessed.
    @Test func verdictsTestWhereThreeSeedsExistAndSayWhatIsNotAssessed() throws {
        let accuracy = experimentHeader(table: "table1", title: "Table 1", kind: "accuracy")
            + row("a") + row("a-stbp", twin: "a") + row("b") + row("b-stbp", twin: "b")
        var memory = experimentHeader(table: "table4", title: "Table 4", kind: "memory")
        for t in [5, 30] { memory += row("m-t\(t)", t: t) + row("m-t\(t)-stbp", t: t, twin: "m-t\(t)") }
        let fixture = try ReportFixture(files: ["table1.yaml": accuracy, "table4.yaml": memory])
        for (seed, (ide, stbp)) in [(99.0, 98.0), (99.25, 98.1), (99.1, 97.9)].enumerated() {
            try fixture.store(syntheticRecord(row: "a", seed: seed, testAccuracies: [ide]))
            try fixture.store(syntheticRecord(row: "a-stbp", seed: seed, method: "stbp", testAccuracies: [stbp]))
        }
        try fixture.store(syntheticRecord(row: "b", seed: 0, testAccuracies: [90.0]))
        try fixture.store(syntheticRecord(row: "b-stbp", seed: 0, method: "stbp", testAccuracies: [91.0]))
        for t in [5, 30] {
            try fixture.store(syntheticRecord(table: "table4", row: "m-t\(t)", seed: 0, timeSteps: t))
            try fixture.store(syntheticRecord(table: "table4", row: "m-t\(t)-stbp", seed: 0, method: "stbp", timeSteps: t))
        }
        let text = try fixture.report().text
        let start = try #require(text.range(of: "## Verdicts on the paper's claims")).lowerBound
        let verdicts = String(text[start...])
        // IDE 99.117 ± 0.126, STBP 98.0 ± 0.1: Welch t = 12.03 (ν = 3.8), p < 0.001.
        #expect(verdicts.contains("| table1 | a label | quick | 99.12 ± 0.13 (n = 3) | 98.00 ± 0.10 (n = 3) | +1.12 | t = 12.03, "),
                "\(verdicts)")
        #expect(verdicts.contains("p < 0.001 | IDE higher (significant) |"), "\(verdicts)")
        #expect(verdicts.contains("| table1 | b label | quick | 90.00 ± — (n = 1) | 91.00 ± — (n = 1) | −1.00 | "
            + "n < 3 on a side: not tested | STBP higher, descriptively |"), "\(verdicts)")
        #expect(verdicts.contains("**Supported**: IDE is significantly higher in the one tested comparison; 1 comparison "
            + "with fewer seeds (descriptively IDE higher in 0 of 1)."), "\(verdicts)")
        // syntheticRecord: IDE's steady peak 400,000,006 B at every T; STBP's 450 and 700 MB.
        #expect(verdicts.contains("| mnist · mnist_64c5s_f64c5 · IF | quick | 5, 30 | 381.5–381.5 | 0.0 % | 429.2–667.6 | 5, 30 |"),
                "\(verdicts)")
        #expect(verdicts.contains("*Independent of T* (spread ≤ 10 % counts): **supported** for all 1 network/profile lines."))
        #expect(verdicts.contains("*Smaller than STBP*: **supported** at every T measured."))
        #expect(verdicts.contains("**Not assessed**: no Table 5 run has completed."))
        #expect(verdicts.contains("**Not assessed**: no trained IDE trace in the record."))
    }

}
