import Datasets
import Foundation
import Harness
import TestSupport
import Testing

/// An experiment directory and a results directory for report tests.
struct ReportFixture {
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

/// A file header with five paper seeds and three quick ones.
func experimentHeader(table: String, title: String, kind: String, extra: [String] = []) -> String {
    """
    table: \(table)
    title: "\(title)"
    kind: \(kind)
    \(extra.joined(separator: "\n"))
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
                 t: Int = 30, twin: String? = nil, method: String = "stbp", paper: String? = nil, extra: [String] = []) -> String {
    var lines = ["  - id: \(id)", "    label: \"\(id) label\"", "    dataset: \(dataset)", "    model: \(model)",
                 "    neuron: \(neuron)", "    time_steps: \(t)"]
    if let twin { lines += ["    twin: \(twin)", "    method: \(method)"] }
    if let paper { lines.append("    paper: \(paper)") }
    return (lines + extra).joined(separator: "\n") + "\n"
}

/// The report's text between the heading `from` and the next heading of the same level.
func section(_ text: String, _ from: String) throws -> String {
    let start = try #require(text.range(of: from))
    let level = from.prefix { $0 == "#" }
    let rest = text[start.upperBound...]
    let end = rest.range(of: "\n\(level) ")?.lowerBound ?? rest.endIndex
    return String(text[start.lowerBound..<end])
}

@Suite struct ReportTests {
    /// Per seed: a first epoch, the best, the last. Best 90.0, 90.1, 90.05 (mean 90.05, std 0.05, the
    /// t-interval ± 4.303 · 0.05/√3 = ± 0.124); last 89.7, 89.6, 89.65 (mean 89.65, 4.3 paper std
    /// below the paper's 90.04 ± 0.09).
    static let paperSeeds: [[Double]] = [[89.0, 90.0, 89.7], [89.5, 90.1, 89.6], [89.2, 90.05, 89.65]]

    fileprivate static func paperFixture() throws -> ReportFixture {
        let file = experimentHeader(table: "table1", title: "Table 1 — test", kind: "accuracy")
            + row("a", paper: "{mean: 90.04, std: 0.09, best: 90.14}") + row("a-stbp", twin: "a")
            + row("b", paper: "{mean: 99.49, std: 0.04}")
        let fixture = try ReportFixture(files: ["table1.yaml": file])
        for (seed, accuracies) in paperSeeds.enumerated() {
            try fixture.store(syntheticRecord(row: "a", seed: seed, profile: .paper, testAccuracies: accuracies, wholeData: true))
        }
        try fixture.store(syntheticRecord(row: "a-stbp", seed: 0, profile: .paper, method: "stbp",
                                          testAccuracies: [88.0, 89.93, 89.5], wholeData: true))
        // b: a quick run on a subset, which never meets the paper's numbers.
        try fixture.store(syntheticRecord(row: "b", seed: 0, testAccuracies: [97.0, 98.0]))
        return fixture
    }

    @Test func paperProtocolRowsShowBestLastAndTheTailAgainstThePaper() throws {
        let text = try Self.paperFixture().report().text
        let table1 = try section(text, "## Table 1 — test")
        #expect(table1.contains("| a label | IDE | 3/5 | 90.05 ± 0.05 [89.93, 90.17] | 89.65 ± 0.05 [89.53, 89.77] | "
            + "89.65 ± 0.05 [89.53, 89.77] | 90.04 ± 0.09 (90.14) | +0.01 (0.1 std) | −0.39 (4.3 std) | best: reproduced; "
            + "last: not reproduced: 4.3 std below | 0.02 |"), "\(table1)")
        // One run: its 95 % Wilson interval for 10,000 test samples, (n = 1); no paper number for STBP.
        // CPU-hours: a's three files 3 × (3.25 + 6.5 + 9.75) s × 1 thread, a-stbp's one 19.5 s.
        #expect(table1.contains("| a-stbp label | STBP | 1/5 | 89.93 [89.32, 90.50] (n = 1) | 89.50 [88.88, 90.09] (n = 1) | "
            + "89.50 (n = 1) | — | — | — | no paper number | 0.01 |"), "\(table1)")
        #expect(table1.contains("Not run at the paper's protocol: `b`."), "\(table1)")
        #expect(!table1.contains("97.00") && !table1.contains("98.00"), "the quick subset run stays out of the body")
        let summary = try section(text, "## Summary")
        #expect(summary.contains("1 of the 2 paper numbers of Tables 1–3 has completed trained runs (best epoch: 1 reproduced;"),
                "\(summary)")
        #expect(summary.contains("- Table 1, a label: IDE 90.05 ± 0.05 (n = 3) against the paper's 90.04 ± 0.09 (90.14) — best "
            + "epoch: reproduced; last epoch 89.65: not reproduced: 4.3 std below; STBP twin 89.93 (n = 1)."), "\(summary)")
        #expect(summary.contains("| table1 | `a` | IDE | paper | 3/5 | complete | best: reproduced · last: not reproduced: 4.3 std below |"),
                "\(summary)")
        #expect(summary.contains("| table1 | `b` | IDE | quick | 1/3 | subset | subset only |"), "\(summary)")
        #expect(summary.contains("- table1: 1 row at `quick` (data subset, mnist 5000/1000, 2 epochs), 1 seed each."), "\(summary)")
        let appendix = try section(text, "## Appendix A — reduced profiles and data subsets")
        // b's last epoch trained at 90 + 2 percent (the synthetic record's training accuracy).
        #expect(appendix.contains("| b label | IDE | mnist 5000/1000 | data subset | 2 | 1/3 | 98.00 [96.93, 98.70] (n = 1) |"),
                "\(appendix)")
        #expect(appendix.contains("| 92.00 (n = 1) | 0.00 |"), "\(appendix)")
        #expect(!appendix.contains("99.49"), "no paper number beside a reduced profile")
    }

    /// Runs near chance are "not trained": flagged in the tables and left out of statistics and verdicts.
    @Test func runsNearChanceAreNotTrainedAndStayOutOfComparisons() throws {
        let file = experimentHeader(table: "t3", title: "T3", kind: "accuracy") + row("c") + row("c-stbp", twin: "c")
        let fixture = try ReportFixture(files: ["t3.yaml": file])
        try fixture.store(syntheticRecord(table: "t3", row: "c", testAccuracies: [11.0]))
        try fixture.store(syntheticRecord(table: "t3", row: "c-stbp", method: "stbp", testAccuracies: [14.0]))
        let text = try fixture.report().text
        #expect(text.contains("| `c` | IDE | quick | 1/3 | subset | not trained (data subset) |"), "\(text)")
        #expect(text.contains("| c label | IDE | mnist 5000/1000 | data subset | 1 | 1/3 | not trained (best 11.00) |"), "\(text)")
        let verdicts = try section(text, "## Verdicts on the paper's claims")
        #expect(verdicts.contains("**Not assessed**: no pair of rows has trained runs under the same conditions. 1 comparison "
            + "left out: a side did not train."), "\(verdicts)")
    }

    /// Welch where both sides have three seeds, McNemar for single runs on the same test samples,
    /// Holm across the comparisons of the claim, a tie read as a tie; LIF against IF.
    @Test func verdictsTestPairedAndUnpairedAndCorrectForMultiplicity() throws {
        let file = experimentHeader(table: "table1", title: "Table 1", kind: "accuracy")
            + row("a") + row("a-stbp", twin: "a") + row("b") + row("b-stbp", twin: "b") + row("c") + row("c-stbp", twin: "c")
            + row("a-lif", neuron: "lif")
        let fixture = try ReportFixture(files: ["table1.yaml": file])
        for (seed, (ide, stbp)) in [(99.0, 98.0), (99.25, 98.1), (99.1, 97.9)].enumerated() {
            try fixture.store(syntheticRecord(row: "a", seed: seed, testAccuracies: [ide]))
            try fixture.store(syntheticRecord(row: "a-stbp", seed: seed, method: "stbp", testAccuracies: [stbp]))
        }
        try fixture.store(syntheticRecord(row: "a-lif", seed: 0, testAccuracies: [99.0]))
        // b: 20 samples; IDE right on all, STBP wrong on the first 10 → McNemar 10 : 0, p = 2/2¹⁰ = 0.00195.
        let labels = (0..<20).map { $0 % 10 }
        try fixture.store(syntheticRecord(row: "b", seed: 0, testAccuracies: [100.0], predictions: labels))
        try fixture.store(syntheticRecord(row: "b-stbp", seed: 0, method: "stbp", testAccuracies: [50.0],
                                          predictions: labels.enumerated().map { $0.offset < 10 ? ($0.element + 1) % 10 : $0.element }))
        try fixture.store(syntheticRecord(row: "c", seed: 0, testAccuracies: [90.0]))
        try fixture.store(syntheticRecord(row: "c-stbp", seed: 0, method: "stbp", testAccuracies: [90.0]))
        let verdicts = try section(try fixture.report().text, "### IDE reaches higher accuracy than STBP on the same network")
        // IDE 99.117 ± 0.126, STBP 98.0 ± 0.1: Welch t = 12.03 (ν = 3.8), p < 0.001; Holm over {p_a, 0.00195}.
        #expect(verdicts.contains("| table1 | a label | profile `quick`, data subset (mnist 5000/1000), 1 epoch | best | "
            + "99.12 ± 0.13 (n = 3) | 98.00 ± 0.10 (n = 3) | +1.12 | Welch t = 12.03, ν = 3.8, p < 0.001 (Holm "), "\(verdicts)")
        #expect(verdicts.contains("| IDE higher (significant) |"), "\(verdicts)")
        #expect(verdicts.contains("| table1 | b label | profile `quick`, data subset (mnist 5000/1000), 1 epoch | last | "
            + "100.00 (n = 1) | 50.00 (n = 1) | +50.00 | McNemar 10 : 0, p = 0.002 (Holm = 0.002) | IDE higher (significant) |"),
                "\(verdicts)")
        #expect(verdicts.contains("| best | 100.00 (n = 1) | 50.00 (n = 1) | +50.00 | not tested (n < 3 on a side) | IDE higher, descriptively |"),
                "\(verdicts)")
        #expect(verdicts.contains("| +0.00 | not tested (n < 3 on a side) | tie |"), "\(verdicts)")
        #expect(verdicts.contains("best epoch: **supported**: IDE significantly higher in 1 of 1 tested; last epoch: "
            + "**supported**: IDE significantly higher in 2 of 2 tested."), "\(verdicts)")
        let lif = try section(try fixture.report().text, "### LIF is slightly better than IF")
        #expect(lif.contains("| LIF | IF |") && lif.contains("| 99.00 (n = 1) | 99.12 ± 0.13 (n = 3) | −0.12 |"), "\(lif)")
    }

    /// Holm's family is one group of conditions: a test under other conditions (here 2 epochs
    /// instead of 1) never changes a comparison's adjusted p.
    @Test func holmCorrectsWithinEachGroupOfConditions() throws {
        let file = experimentHeader(table: "table1", title: "Table 1", kind: "accuracy")
            + row("b") + row("b-stbp", twin: "b") + row("d") + row("d-stbp", twin: "d")
        let fixture = try ReportFixture(files: ["table1.yaml": file])
        // b, 1 epoch: STBP wrong on 10 of 20 samples → McNemar 10 : 0, p = 2/2¹⁰ = 0.00195.
        // d, 2 epochs: STBP wrong on 6 → McNemar 6 : 0, p = 2/2⁶ = 0.031. One family of both would make b's 0.004.
        let labels = (0..<20).map { $0 % 10 }
        func wrong(_ count: Int) -> [Int] { labels.enumerated().map { $0.offset < count ? ($0.element + 1) % 10 : $0.element } }
        try fixture.store(syntheticRecord(row: "b", seed: 0, testAccuracies: [100.0], predictions: labels))
        try fixture.store(syntheticRecord(row: "b-stbp", seed: 0, method: "stbp", testAccuracies: [50.0], predictions: wrong(10)))
        try fixture.store(syntheticRecord(row: "d", seed: 0, testAccuracies: [90.0, 100.0], predictions: labels))
        try fixture.store(syntheticRecord(row: "d-stbp", seed: 0, method: "stbp", testAccuracies: [60.0, 70.0], predictions: wrong(6)))
        let verdicts = try section(try fixture.report().text, "### IDE reaches higher accuracy than STBP on the same network")
        #expect(verdicts.contains("| table1 | b label | profile `quick`, data subset (mnist 5000/1000), 1 epoch | last | "
            + "100.00 (n = 1) | 50.00 (n = 1) | +50.00 | McNemar 10 : 0, p = 0.002 (Holm = 0.002) |"), "\(verdicts)")
        #expect(verdicts.contains("| table1 | d label | profile `quick`, data subset (mnist 5000/1000), 2 epochs | last | "
            + "100.00 (n = 1) | 70.00 (n = 1) | +30.00 | McNemar 6 : 0, p = 0.031 (Holm = 0.031) |"), "\(verdicts)")
    }

    /// A third method is a peer: its rows, its own verdicts against IDE (accuracy, memory), its line
    /// in Table 4 with its slope and where it meets STBP, and its rows in summary.csv — nothing
    /// filed as STBP.
    @Test func everyMethodOfAGroupIsReportedAsItself() throws {
        let accuracy = experimentHeader(table: "table1", title: "Table 1", kind: "accuracy")
            + row("a") + row("a-stbp", twin: "a") + row("a-ottt", twin: "a", method: "ottt")
        var memory = experimentHeader(table: "table4", title: "Table 4 — memory", kind: "memory")
        for t in [5, 30] {
            memory += row("m-t\(t)", t: t) + row("m-t\(t)-stbp", t: t, twin: "m-t\(t)")
                + row("m-t\(t)-ottt", t: t, twin: "m-t\(t)", method: "ottt")
        }
        let fixture = try ReportFixture(files: ["table1.yaml": accuracy, "table4.yaml": memory])
        for (seed, (ide, stbp, ottt)) in [(99.0, 98.0, 97.0), (99.25, 98.1, 97.2), (99.1, 97.9, 97.1)].enumerated() {
            try fixture.store(syntheticRecord(row: "a", seed: seed, testAccuracies: [ide]))
            try fixture.store(syntheticRecord(row: "a-stbp", seed: seed, method: "stbp", testAccuracies: [stbp]))
            try fixture.store(syntheticRecord(row: "a-ottt", seed: seed, method: "ottt", testAccuracies: [ottt]))
        }
        let mib = 1_048_576
        for t in [5, 30] {
            for (row, method, peak) in [("m-t\(t)", "ide", 400 * mib), ("m-t\(t)-stbp", "stbp", 100 * mib + 5 * t * mib),
                                        ("m-t\(t)-ottt", "ottt", 90 * mib)] {
                var record = syntheticRecord(table: "table4", row: row, method: method, timeSteps: t)
                record.memory = MemoryRecord(peakBytes: [2 * peak, peak], transientBytes: [peak, peak / 2])
                try fixture.store(record)
            }
        }
        let text = try fixture.report().text
        let appendix = try section(text, "## Appendix A — reduced profiles and data subsets")
        #expect(appendix.contains("| a-ottt label | OTTT | mnist 5000/1000 | data subset | 1 | 3/3 |")
                && appendix.contains("| a-stbp label | STBP | mnist 5000/1000 | data subset | 1 | 3/3 |"), "\(appendix)")
        for other in ["STBP", "OTTT"] {
            let verdict = try section(text, "### IDE reaches higher accuracy than \(other) on the same network")
            #expect(verdict.contains("| table1 | a label |") && verdict.contains("**supported**"), "\(verdict)")
        }
        let table4 = try section(text, "## Table 4 — memory")
        #expect(table4.contains("  - OTTT: the peak changes by +0.00 MiB per time step (least squares over T = 5, 30)"),
                "\(table4)")
        #expect(table4.contains("OTTT's peak is below STBP's at every T measured (5–30)"), "\(table4)")
        let memoryVerdict = try section(text, "### IDE's training memory is independent of T and much smaller than STBP's")
        #expect(memoryVerdict.contains("| OTTT peak (min–max) | T where IDE < OTTT |")
                && memoryVerdict.contains("- *Smaller than STBP's* (profile")
                && memoryVerdict.contains("- *Smaller than OTTT's* (not a claim of the paper; profile")
                && memoryVerdict.contains("**not supported** at any T measured."), "\(memoryVerdict)")
        let csv = try String(contentsOfFile: fixture.results + "/summary.csv", encoding: .utf8)
        #expect(csv.components(separatedBy: ",ottt,").count - 1 == 9, "3 seeds each of a-ottt, m-t5-ottt, m-t30-ottt: \(csv)")
    }

    /// Table 4's sentences come from the runs: change the data and the sentences change.
    @Test(arguments: [5, 2]) func memorySentencesFollowTheData(_ stbpMiBPerStep: Int) throws {
        var file = experimentHeader(table: "table4", title: "Table 4 — memory", kind: "memory")
        for t in [5, 30, 100] {
            file += row("m-t\(t)", t: t) + row("m-t\(t)-stbp", t: t, twin: "m-t\(t)")
                + row("m-t\(t)-ref", t: t, extra: ["    quirks: [broyden_full_allocation]"])
        }
        let fixture = try ReportFixture(files: ["table4.yaml": file])
        let mib = 1_048_576
        for t in [5, 30, 100] {
            for (row, method, peak) in [("m-t\(t)", "ide", 400 * mib), ("m-t\(t)-ref", "ide", 500 * mib),
                                        ("m-t\(t)-stbp", "stbp", 100 * mib + stbpMiBPerStep * t * mib)] {
                var record = syntheticRecord(table: "table4", row: row, method: method, timeSteps: t)
                record.settings.append(ConfigEntry(name: "batch_size", value: .integer(16)))
                record.memory = MemoryRecord(peakBytes: [2 * peak, peak, peak - 1], transientBytes: [peak, peak / 2, 0])
                try fixture.store(record)
            }
        }
        let text = try section(try fixture.report().text, "## Table 4 — memory")
        #expect(text.contains("- Measured: batch 16, 3 training iterations per run; the cells are the maximum over the "
            + "iterations after the first"), "\(text)")
        // 1 byte per MiB·step … per hidden neuron (12,544) and sample (16): 5 MiB / (16 · 12,544) = 26.12 bytes.
        let perNeuron = Double(stbpMiBPerStep * mib) / Double(16 * 12_544)
        #expect(text.contains("  - STBP: the peak changes by +\(stbpMiBPerStep).00 MiB per time step (least squares over "
            + "T = 5, 30, 100), \(String(format: "%.2f", perNeuron)) bytes per hidden neuron and sample."), "\(text)")
        // Solver: synthetic IDE epochs record 13, 14, 15 iterations; a pair is 2 · 16 · 12,544 · 4 B = 1.5 MiB.
        #expect(text.contains("  - Broyden: the IDE runs took 14.0 Broyden iterations per batch on average; a pair (u, vᵀ) "
            + "of B × D floats each weighs 1.5 MiB (B = 16, D = 12544)"), "\(text)")
        if stbpMiBPerStep == 5 {
            // IDE − STBP: 150 MiB at T = 30, −200 at T = 100 → equal at 30 + 150/350 · 70 = 60.
            #expect(text.contains("IDE's peak is above STBP's up to T = 30 and below it from T = 100 (equal at T ≈ 60, "
                + "linear interpolation)."), "\(text)")
        } else {
            // STBP 110, 160, 300 MiB: IDE (400) above at every T; the fitted lines meet beyond T = 100.
            #expect(text.contains("IDE's peak is above STBP's at every T measured (5–100); along the fitted lines STBP's "
                + "would reach it at T ≈ "), "\(text)")
        }
    }

    /// Table 5 on a substitute network: shown with its energy, never the basis of the sparsity verdict.
    @Test func ratesWithEnergyAndSubstituteNetworks() throws {
        let rates = experimentHeader(table: "table5", title: "Table 5 — rates", kind: "rates", extra: ["paper_models: [alexnet_f]"])
            + row("a-if") + row("a-lif", neuron: "lif") + row("a-lif-stbp", neuron: "lif", twin: "a-lif")
        let fixture = try ReportFixture(files: ["table5.yaml": rates])
        for row in ["a-if", "a-lif"] {
            for seed in 0..<2 { try fixture.store(syntheticRecord(table: "table5", row: row, seed: seed)) }
        }
        let text = try fixture.report().text
        // MNIST conv: input 64·14·14·25 = 313,600 MACs, feedback 64·14·14·1,600 = 20,070,400; SynOps 1.5e6.
        // E_SNN = 313,600 · 4.6 + 1.5e6 · 0.9 pJ = 2,792,560 pJ = 2.79 µJ; E_ANN = 20,384,000 · 4.6 pJ = 93.77 µJ.
        #expect(text.contains("| a-if label (substitute network) | IDE | 0.400 % | 0.400 % ± 0.000 | 0.080 % | 1.50 M | "
            + "2.79 / 93.77 (ANN ÷ SNN 33.6) | 98.75 ± 0.00 (n = 2) | 2/3 |"), "\(text)")
        #expect(!text.contains("table5-quick-rates.png"), "one layer per network is no figure")
        let verdict = try section(text, "### Sparse firing")
        #expect(verdict.contains("**Not assessed** on the network the paper used: no trained run of it has completed."), "\(verdict)")
        let csv = try String(contentsOfFile: fixture.results + "/summary.csv", encoding: .utf8)
        #expect(csv.contains(",1500000.0,2792560.0,93766400.0,"), "\(csv)")
    }

    @Test func convergenceTableAndFigureSayWhatTheyDraw() throws {
        let convergence = experimentHeader(table: "figure", title: "Figure — convergence", kind: "convergence")
            .replacingOccurrences(of: "  epochs: 100\n", with: "  epochs: 100\n  convergence: {steps: 3}\n")
            + row("c-if") + row("c-if-stbp", twin: "c-if")
        let fixture = try ReportFixture(files: ["figure.yaml": convergence])
        for seed in 0..<2 {
            var traced = syntheticRecord(table: "figure", row: "c-if", seed: seed)
            traced.convergence = [
                ConvergenceTrace(name: "untrained", epoch: 0, samples: 16, residualMean: [0.303, 0.143, 0.045], residualStd: [0, 0, 0]),
                ConvergenceTrace(name: "trained", epoch: 3, samples: 16, residualMean: [0.2 + 0.1 * Double(seed), 0.1, 0.02],
                                 residualStd: [0, 0, 0]),
            ]
            try fixture.store(traced)
        }
        let text = try fixture.report().text
        #expect(text.contains("| c-if label | IDE | trained | quick | 2 | 2.50e-01 |"), "\(text)")
        #expect(text.contains("Not run: `c-if-stbp` (quick)."), "\(text)")
        #expect(!text.contains("| c-if-stbp label | STBP | untrained"))
        #expect(text.contains("- Plotted: the relative residual ‖f(a[t]) − a[t]‖ / ‖a[t]‖"))
        #expect(text.contains("- The shaded band is the min–max over seeds."), "\(text)")
        let data = try String(contentsOfFile: fixture.results + "/figures/figure-quick-mnist-mnist-64c5s-f64c5.dat", encoding: .utf8)
        #expect(data.contains("# band: min–max over 2 seeds\n1.0 0.2 0.30000000000000004"), "\(data)")
    }

    @Test func unreadableFilesStrayDirectoriesAndRowsWithoutResultsAreListed() throws {
        let file = experimentHeader(table: "table1", title: "Table 1", kind: "accuracy")
            + row("a", paper: "{mean: 99.0, std: 0.1, best: 99.2}") + row("b")
        let fixture = try ReportFixture(files: ["table1.yaml": file, "other.yaml": file.replacingOccurrences(of: "table: table1", with: "table: t2")])
        try FileManager.default.createDirectory(atPath: fixture.results + "/t2/a", withIntermediateDirectories: true)
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: fixture.results + "/t2/a/seed-0.h5"))
        try fixture.store(syntheticRecord(table: "t2", row: "gone", seed: 0))
        try fixture.store(syntheticRecord(table: "old-table", row: "x", seed: 0))
        let (outcome, text) = try fixture.report()
        #expect(text.contains("No results yet: every row is missing (`a`, `b`)."), "\(text)")
        #expect(text.contains("- `t2/a/seed-0.h5`: unreadable: "), "\(text)")
        #expect(text.contains("- `t2/gone/`: results for a row that is not in"), "\(text)")
        #expect(text.contains("- table1: 2 rows not run: `a`, `b`."), "\(text)")
        #expect(text.contains("## Other result directories") && text.contains("- `old-table/`"))
        #expect(outcome.problemCount == 4)  // table1: no results; t2: no results, unreadable, stray
    }

    @Test func committedExperimentFilesReportWithoutResults() throws {
        let directory = try TemporaryDirectory()
        let outcome = try ReportGenerator(experimentsDirectory: CommittedExperiments.directory,
                                          resultsDirectory: directory.file("results"), renderFigures: false).write()
        let text = try String(contentsOfFile: outcome.reportPath, encoding: .utf8)
        for title in ["Table 1 — MNIST and Fashion-MNIST", "Table 2 — N-MNIST", "Table 3 — CIFAR-10 and CIFAR-100",
                      "Table 4 — training memory by time steps, IDE, STBP and OTTT", "Table 5 — firing sparsity",
                      "Figure — convergence to the equilibrium"] {
            #expect(text.contains("## \(title)"), "missing section \(title)")
        }
        #expect(text.contains("0 of the 21 paper numbers of Tables 1–3 have completed trained runs."), "\(text)")
        #expect(Self.longParagraphs(text).isEmpty, "\(Self.longParagraphs(text))")
    }

    /// Rows without results whose data is absent say "data missing", once per dataset.
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
        #expect(text.contains("- t3: 3 rows, data missing (cifar100 not found under the data root): `c100-a`, `c100-a-stbp`, `c100-b`."),
                "\(text)")
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("- data missing") }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("data missing for `c100-a`, `c100-a-stbp`, `c100-b`: cifar100 not found under "
            + "\(emptyRoot.path). ") == true, "\(lines)")
        #expect(text.contains("- `m` (quick): missing seeds 1, 2"), "rows whose data exists are listed as before")
    }

    /// The quirks the rows list: per table in Appendix C, and once in the summary's deviations.
    @Test func quirksAreListedPerTableAndInTheDeviations() throws {
        let file = experimentHeader(table: "t", title: "T", kind: "accuracy")
            + row("a", extra: ["    quirks: [spectral_reshaped_kernel_norm]"]) + row("b")
        let fixture = try ReportFixture(files: ["t.yaml": file])
        try fixture.store(syntheticRecord(table: "t", row: "a"))
        let text = try fixture.report().text
        #expect(text.contains("- B9 `spectral_reshaped_kernel_norm` — the spectral norm of the reshaped kernel matrix, "
            + "not of the convolution operator: `a`\n"), "\(text)")
        #expect(text.contains("- Reproduced reference behaviour B9 `spectral_reshaped_kernel_norm`, the spectral norm of the "
            + "reshaped kernel matrix, not of the convolution operator: t (1 of 2 rows)."), "\(text)")
        #expect(text.contains("- Data subsets (train/test samples per epoch; smoke runs not listed): t: mnist read as mnist "
            + "5000/1000 of 60000/10000 (profile `quick`)."), "\(text)")
    }

    /// The data-subsets line lists the rows' subsets in the file's order, however the records are
    /// held (five rows: a hash order would match by chance once in 120 reports).
    @Test func dataSubsetsFollowTheFileOrder() throws {
        let ids = ["e", "c", "a", "d", "b"]
        let file = experimentHeader(table: "t", title: "T", kind: "accuracy") + ids.map { row($0) }.joined()
        let fixture = try ReportFixture(files: ["t.yaml": file])
        for (index, id) in ids.enumerated() {
            var record = syntheticRecord(table: "t", row: id)
            record.provenance.trainSamples = 1000 * (index + 1)
            try fixture.store(record)
        }
        let text = try fixture.report().text
        let subsets = ids.indices.map { "t: mnist read as mnist \(1000 * ($0 + 1))/1000 of 60000/10000 (profile `quick`)" }
        #expect(text.contains("- Data subsets (train/test samples per epoch; smoke runs not listed): "
            + subsets.joined(separator: "; ") + "."), "\(text)")
    }

    /// Provenance per row: revision, whether its training code is today's (here: no git → not
    /// checked), CPU, threads and the command; the compute table sums the epochs' seconds.
    @Test func provenanceAndComputeComeFromTheFiles() throws {
        let fixture = try Self.paperFixture()
        let text = try fixture.report().text
        let provenance = try section(text, "## Appendix D — provenance and commands")
        #expect(provenance.contains("| table1 | `a` | paper | 0, 1, 2 | abc123def456 | not checked | 2027-01-15 | 0.02 | "
            + "Test CPU (family 1, model 2; AVX2) | 1 | `fsnn run experiments/table1.yaml --profile paper --rows a --seeds 0,1,2` |"),
                "\(provenance)")
        // Synthetic epochs take 3.25 · e seconds: 19.5 s per run, 4 paper runs + 1 quick run of 2 epochs (9.75 s).
        #expect(text.contains("| table1 | 5 | 14 | 0.02 | 0.02 | Test CPU (family 1, model 2; AVX2) | 2 | 1 | "), "\(text)")
        let csv = try String(contentsOfFile: fixture.results + "/summary.csv", encoding: .utf8)
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.first == "table,row,method,profile,data,seed,status,conditions,trained,test_samples,best_test_acc,"
            + "best_epoch,last_test_acc,final_tenth_test_acc,epochs_completed,firing_rate,sops_per_sample,energy_snn_pj,"
            + "energy_ann_pj,peak_bytes,transient_bytes,wall_seconds,cpu_seconds,threads,cpu,started,git_revision,command,same_run_as")
        #expect(lines.contains { $0.hasPrefix("table1,a,ide,paper,mnist 60000/10000,0,complete,paper protocol,true,10000,90.0,2,89.7,89.7,3,") },
                "\(lines)")
        #expect(lines.contains("table1,a,ide,paper,mnist,3,not run,,,,,,,,,,,,,,,,,,,,,fsnn run experiments/table1.yaml --profile paper --rows a --seeds 3,"),
                "\(lines)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.results + "/summary.json")))
        let records = try #require(json as? [[String: Any]])
        #expect(Set(records.map { $0.count }) == [29], "every record has every key")
    }

    /// "Training code" compares the repository's Sources at a run's revision with HEAD, wherever in the
    /// checkout the experiments folder lies: a change to Sources/FSNN marks the older run, a later
    /// change elsewhere (a note) does not mark the newer one.
    @Test func trainingCodeIsComparedAcrossTheWholeRepository() throws {
        let file = experimentHeader(table: "table1", title: "Table 1 — test", kind: "accuracy") + row("a") + row("b")
        let fixture = try ReportFixture(files: ["table1.yaml": file])
        let root = fixture.directory.path
        func git(_ arguments: [String]) throws -> String {
            let result = try #require(try runTool("git", ["-C", root, "-c", "user.name=fsnn", "-c", "user.email=fsnn@test"]
                                                  + arguments), "git is not installed")
            #expect(result.status == 0, "git \(arguments): \(result.output)")
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let source = fixture.directory.file("Sources/FSNN/Step.swift")
        try FileManager.default.createDirectory(atPath: fixture.directory.file("Sources/FSNN"), withIntermediateDirectories: true)
        try "let step = 1\n".write(toFile: source, atomically: true, encoding: .utf8)
        _ = try git(["init", "-q"])
        _ = try git(["add", "."])
        _ = try git(["commit", "-qm", "first"])
        let first = try git(["rev-parse", "--short=12", "HEAD"])
        try "let step = 2\n".write(toFile: source, atomically: true, encoding: .utf8)
        _ = try git(["commit", "-qam", "training code"])
        let second = try git(["rev-parse", "--short=12", "HEAD"])
        try "a note\n".write(toFile: fixture.directory.file("NOTES.md"), atomically: true, encoding: .utf8)
        _ = try git(["add", "NOTES.md"])
        _ = try git(["commit", "-qm", "a note"])
        var older = syntheticRecord(row: "a", profile: .paper)
        older.provenance.gitRevision = first
        var newer = syntheticRecord(row: "b", profile: .paper)
        newer.provenance.gitRevision = second
        try fixture.store(older)
        try fixture.store(newer)
        let provenance = try section(try fixture.report().text, "## Appendix D — provenance and commands")
        #expect(provenance.contains("| \(first) | differs from HEAD |"), "\(provenance)")
        #expect(provenance.contains("| \(second) | as HEAD |"), "\(provenance)")
    }

    /// Learning curves: a mean line per method with the seeds' band, the paper's mean ± std as a
    /// band at the paper's protocol, milestones as dotted lines, one y range; a single epoch is no figure.
    @Test func accuracyFiguresShowSeedBandsPaperBandAndMilestones() throws {
        let fixture = try Self.paperFixture()
        let (outcome, text) = try fixture.report(render: true)
        let figures = fixture.results + "/figures"
        #expect(text.contains("](figures/table1-paper-accuracy.png)"), "\(text)")
        let data = try String(contentsOfFile: "\(figures)/table1-paper-accuracy.dat", encoding: .utf8)
        #expect(data.contains("# band: paper (IDE) mean ± std\n1.0 89.95 90.13000000000001\n3.0 89.95 90.13000000000001"), "\(data)")
        #expect(data.contains("# band: IDE min–max over 3 seeds\n1.0 89.0 89.5\n2.0 90.0 90.1\n3.0 89.6 89.7"), "\(data)")
        #expect(data.contains("# IDE (mean of 3 seeds)\n1.0 89.23333333333333"), "\(data)")
        #expect(data.contains("# STBP (1 seed)\n1.0 88.0"), "\(data)")
        let script = try String(contentsOfFile: "\(figures)/table1-paper-accuracy.gp", encoding: .utf8)
        #expect(!script.contains("set arrow from"), "milestones 30, 60, 90 lie beyond 3 epochs: \(script)")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") {
            #expect(outcome.renderingProblems.isEmpty, "\(outcome.renderingProblems)")
            let png = try Data(contentsOf: URL(fileURLWithPath: "\(figures)/table1-paper-accuracy.png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG file")
        }
        // A stale figure of an earlier report is removed; a single-epoch run draws none.
        try Data("old".utf8).write(to: URL(fileURLWithPath: "\(figures)/gone-figure.png"))
        _ = try fixture.report()
        #expect(!FileManager.default.fileExists(atPath: "\(figures)/gone-figure.png"))
        let single = experimentHeader(table: "t", title: "T", kind: "accuracy") + row("s")
        let one = try ReportFixture(files: ["t.yaml": single])
        try one.store(syntheticRecord(table: "t", row: "s", testAccuracies: [90.0]))
        #expect(try one.report().outcome.figurePaths.isEmpty)
    }

    @Test func milestonesAreMarkedWhereTheRunsReachThem() throws {
        let file = experimentHeader(table: "t", title: "T", kind: "accuracy")
            .replacingOccurrences(of: "quick: {epochs: 3,", with: "quick: {epochs: 3, milestones: [1, 2],") + row("m")
        let fixture = try ReportFixture(files: ["t.yaml": file])
        try fixture.store(syntheticRecord(table: "t", row: "m", testAccuracies: [90, 91, 92]))
        _ = try fixture.report()
        let script = try String(contentsOfFile: fixture.results + "/figures/t-quick-accuracy.gp", encoding: .utf8)
        #expect(script.contains("set arrow from 1.5, graph 0 to 1.5, graph 1 nohead")
            && script.contains("set arrow from 2.5, graph 0 to 2.5, graph 1 nohead"), "\(script)")
    }

    /// `fsnn report` is a function of experiments/ and results/: twice gives the same bytes.
    @Test func theReportIsAPureFunctionOfItsInputs() throws {
        let fixture = try Self.paperFixture()
        _ = try fixture.report()
        let first = try ["REPORT.md", "summary.csv", "summary.json", "figures/table1-paper-accuracy.dat"]
            .map { try Data(contentsOf: URL(fileURLWithPath: "\(fixture.results)/\($0)")) }
        _ = try fixture.report()
        let second = try ["REPORT.md", "summary.csv", "summary.json", "figures/table1-paper-accuracy.dat"]
            .map { try Data(contentsOf: URL(fileURLWithPath: "\(fixture.results)/\($0)")) }
        #expect(first == second)
        let long = Self.longParagraphs(try fixture.report().text)
        #expect(long.isEmpty, "\(long)")
    }

    /// The released code's runs of a row (`<row>/reference/seed-<k>.h5`): a line of their own
    /// beside fsnn's, against the paper, and fsnn against them in pooled std with Welch's test.
    @Test func releasedCodeRunsAreAColumnOfTheirOwn() throws {
        let fixture = try Self.paperFixture()
        // Best 89.9, 90.0, 89.95 (mean 89.95 ± 0.05), last 89.5, 89.6, 89.7 (89.60 ± 0.10).
        for (seed, accuracies) in [[89.0, 89.9, 89.5], [89.1, 90.0, 89.6], [89.2, 89.95, 89.7]].enumerated() {
            var reference = syntheticRecord(row: "a", seed: seed, profile: .paper, testAccuracies: accuracies, wholeData: true)
            reference.implementation = "pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu)"
            try ResultStore.write(reference, to: "\(fixture.results)/table1/a/reference/seed-\(seed).h5")
        }
        let text = try fixture.report().text
        let table1 = try section(text, "## Table 1 — test")
        #expect(table1.contains("| a label | IDE (released code) | 3 | 89.95 ± 0.05 [89.83, 90.07] | 89.60 ± 0.10 ["), "\(table1)")
        // fsnn 90.05 ± 0.05 against 89.95 ± 0.05: pooled std 0.05, d = +2.0; Welch t = 2.449, ν = 4, p = 0.0705 (SciPy).
        #expect(table1.contains("| a label | best | 90.05 ± 0.05 (n = 3) | 89.95 ± 0.05 (n = 3) | +0.10 | 0.05 | +2.0 | "
            + "Welch t = 2.45, ν = 4.0, p = 0.070 |"), "\(table1)")
        #expect(table1.contains("(pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu); seeds of its own generator"))
        let summary = try section(text, "## Summary")
        #expect(summary.contains("; the released code on the same data 89.95 ± 0.05 (n = 3) (fsnn − released: +2.0 pooled std)"),
                "\(summary)")
        #expect(summary.contains("| table1 | `a` | IDE (released code) | paper | 3 | complete | best: reproduced · last: not "
            + "reproduced: 4.9 std below |"), "\(summary)")
        #expect(text.contains("`tools/reference/run_table1.py --released <checkout> --row a --seed <k>` (k = 0, 1, 2)"))
        let problems = try fixture.report().outcome.problemCount
        #expect(problems == Self.paperProblems, "\(problems)")
    }

    /// A saved estimate of the paper profile: per row what a run and every seed take on the
    /// probing machine, beside the CPU-hours the row's files spent, and the cluster's longest run.
    /// A malformed estimate is listed as unreadable, never dropped.
    @Test func theSavedEstimateSetsEachRowsCostBesideItsSpending() throws {
        let fixture = try Self.paperFixture()
        // a: 5 seeds × 100 epochs × 240 s = 6.67 h per run, 33.3 h in all, 66.7 CPU-h at 2 threads; its
        // three paper files spent 3 × (3.25 + 6.5 + 9.75) s = 0.02 CPU-h. a-stbp: 100 × 300 s = 8.33 h.
        var estimate = ProtocolEstimate(table: "table1", profile: "paper", gitRevision: "0123456789abcdef", probeIterations: 3,
                                        rows: [.init(row: "a", seeds: 5, epochs: 100, batchesPerEpoch: 469,
                                                     secondsPerIteration: 0.5, secondsPerEpoch: 240),
                                               .init(row: "a-stbp", seeds: 5, epochs: 100, batchesPerEpoch: 469,
                                                     secondsPerIteration: 0.6, secondsPerEpoch: 300)])
        estimate.threads = 2
        try estimate.write(in: fixture.results)
        try "not json".write(toFile: "\(fixture.results)/table1/estimate-quick.json", atomically: true, encoding: .utf8)
        let text = try fixture.report().text
        let table1 = try section(text, "## Table 1 — test")
        #expect(table1.contains("**What profile `paper` takes here** (a probe of 3 training iterations per row after one "
            + "warm-up, \(estimate.measured.prefix(10)), revision 0123456,"), "\(table1)")
        #expect(table1.contains("| a label | IDE | 5 | 100 × 469 | 0.50 | 6.67 | 33.3 | 66.7 | 0.02 |"), "\(table1)")
        #expect(table1.contains("| a-stbp label | STBP | 5 | 100 × 469 | 0.60 | 8.33 | 41.7 | 83.3 | 0.01 |"), "\(table1)")
        #expect(table1.contains("the profile takes its longest run: 8.3 h (`a-stbp`)."), "\(table1)")
        #expect(text.contains("table1/estimate-quick.json"), "the malformed estimate is listed")
    }

    /// With one released-code seed the gap is stated in points and not called: a pooled spread
    /// from one side's seeds alone would make it look like a measured effect.
    @Test func oneReleasedCodeSeedIsTooFewToCall() throws {
        let fixture = try Self.paperFixture()
        var reference = syntheticRecord(row: "a", seed: 0, profile: .paper, testAccuracies: [89.0, 89.9, 89.5], wholeData: true)
        reference.implementation = "pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu)"
        try ResultStore.write(reference, to: "\(fixture.results)/table1/a/reference/seed-0.h5")
        let text = try fixture.report().text
        let summary = try section(text, "## Summary")
        #expect(summary.contains("; the released code on the same data 89.90 (n = 1) (fsnn − released: +0.15 points; "
            + "too few seeds on a side to call)"), "\(summary)")
        #expect(!summary.contains("pooled std)"), "\(summary)")
        let table1 = try section(text, "## Table 1 — test")
        #expect(table1.contains("| a label | best | 90.05 ± 0.05 (n = 3) | 89.90 (n = 1) | +0.15 | — | — | "), "\(table1)")
    }

    /// The problems the paper fixture lists, with or without reference runs: `a` and `a-stbp`
    /// missing paper seeds, `b` not run at paper, `b` missing quick seeds, `a` and `a-stbp` not run at quick.
    static let paperProblems = 5

    /// Text blocks (paragraphs and list items, not tables or details) whose prose — the text
    /// without `code` spans, which name rows and quirks — is longer than the report allows.
    static func longParagraphs(_ text: String, limit: Int = 420) -> [String] {
        var blocks: [String] = [], current = ""
        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("|") || trimmed.hasPrefix("- ") || trimmed.hasPrefix("#")
                || trimmed.hasPrefix("<") || trimmed.hasPrefix("!") {
                if !current.isEmpty { blocks.append(current) }
                current = trimmed.hasPrefix("- ") ? trimmed : ""
                continue
            }
            current += (current.isEmpty ? "" : " ") + trimmed
        }
        if !current.isEmpty { blocks.append(current) }
        return blocks.filter { block in
            block.split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 0 }.map(\.element.count).reduce(0, +) > limit
        }
    }
}
