import Foundation
import Harness
import TestSupport
import Testing

/// One row of a report test file; `lines` are its further lines.
private func reportRow(_ id: String, neuron: String = "if", _ lines: [String] = []) -> String {
    (["  - id: \(id)", "    label: \"\(id) label\"", "    dataset: mnist", "    model: mnist_64c5s_f64c5",
      "    neuron: \(neuron)", "    time_steps: 30"] + lines.map { "    \($0)" }).joined(separator: "\n") + "\n"
}

/// Table 1 (accuracy) trains `a`, `l`, its STBP twin and `n`; Table 5 (rates) and the figure
/// (convergence) name them at `quick`. Table 1 has three quick seeds of `a`, `l` and `l-stbp`
/// (`a` with residual traces), none of `n`; Table 5 has a stale quick file of its own for `a`.
private func sameRunFixture() throws -> ReportFixture {
    let traces = "profiles: {quick: {convergence: {steps: 3, batches: 1}}}"
    let table1 = experimentHeader(table: "table1", title: "Table 1 — test", kind: "accuracy")
        + reportRow("a", [traces]) + reportRow("l", neuron: "lif") + reportRow("l-stbp", neuron: "lif", ["twin: l", "method: stbp"])
        + reportRow("n")
    let table5 = experimentHeader(table: "table5", title: "Table 5 — test", kind: "rates")
        + reportRow("a", ["same_run_as: {quick: table1/a}"]) + reportRow("l", neuron: "lif", ["same_run_as: {quick: table1/l}"])
        + reportRow("l-stbp", neuron: "lif", ["twin: l", "method: stbp", "same_run_as: {quick: table1/l-stbp}"])
        + reportRow("n", ["same_run_as: {quick: table1/n}"])
    let figure = experimentHeader(table: "figure", title: "Figure — test", kind: "convergence")
        + reportRow("a", ["same_run_as: {quick: table1/a}", traces])
    let fixture = try ReportFixture(files: ["table1.yaml": table1, "table5.yaml": table5, "figure.yaml": figure])
    for seed in 0..<3 {
        var a = syntheticRecord(row: "a", seed: seed)
        a.convergence = [
            ConvergenceTrace(name: "untrained", epoch: 0, samples: 200, residualMean: [0.5, 0.25, 0.125], residualStd: [0, 0, 0]),
            ConvergenceTrace(name: "trained", epoch: 3, samples: 200, residualMean: [0.4, 0.2, 0.1], residualStd: [0, 0, 0]),
        ]
        try fixture.store(a)
        try fixture.store(syntheticRecord(row: "l", seed: seed))
        try fixture.store(syntheticRecord(row: "l-stbp", seed: seed, method: "stbp"))
    }
    // A quick run Table 5 made of `a` itself before it named Table 1's: never shown.
    try fixture.store(syntheticRecord(table: "table5", row: "a", seed: 0, testAccuracies: [50.0, 61.25]))
    return fixture
}

@Suite struct SameRunReportTests {
    /// The rows read Table 1's files, labelled as its runs; Table 5's own stale file is listed, not shown.
    @Test func aReferringRowReadsTheNamedRowsResultFiles() throws {
        let text = try sameRunFixture().report().text
        let table5 = try section(text, "## Table 5 — test")
        #expect(table5.contains("| a label — same run as Table 1 `a` (`quick`) | IDE | 0.400 % | 0.400 % ± 0.000 | "), "\(table5)")
        #expect(table5.contains("| 98.75 ± 0.00 (n = 3) | 3/3 |"), "the best test accuracy of Table 1's three seeds: \(table5)")
        #expect(table5.contains("| l-stbp label — same run as Table 1 `l-stbp` (`quick`) | STBP |"), "\(table5)")
        #expect(!table5.contains("61.25"), "Table 5's own quick file of `a` is not shown")
        #expect(table5.contains("- `table5/a/seed-0.h5`: a `quick` run of a row whose `quick` runs are Table 1 `a`'s; "
            + "not shown (remove it)"), "\(table5)")
        let figure = try section(text, "## Figure — test")
        #expect(figure.contains("| a label — same run as Table 1 `a` (`quick`) | IDE | trained | quick | 3 | 4.00e-01 |"),
                "\(figure)")
        let coverage = try section(text, "### Coverage")
        #expect(coverage.contains("| table5 | `a` | IDE | quick | 3/3 | subset | subset only — same run as Table 1 `a` (`quick`) |"),
                "\(coverage)")
        #expect(coverage.contains("| table1 | `a` | IDE | quick | 3/3 | subset | subset only |"), "\(coverage)")
        let provenance = try section(text, "## Appendix D — provenance and commands")
        #expect(provenance.contains("| same run as Table 1 `a`: `fsnn run experiments/table1.yaml --profile quick --rows a "
            + "--seeds 0,1,2` |"), "\(provenance)")
    }

    /// A referring row whose named row has no results is "not run", naming that row and its command.
    @Test func aReferringRowWithoutResultsIsNotRunAndNamesTheRow() throws {
        let text = try sameRunFixture().report().text
        let table5 = try section(text, "## Table 5 — test")
        #expect(table5.contains("Not run at `quick`: `n` — same run as Table 1 `n` (`quick`)."), "\(table5)")
        #expect(table5.contains("- not run at `quick`: `n` (same run as Table 1 `n`, trained by `fsnn run experiments/table1.yaml "
            + "--profile quick --rows n`)"), "\(table5)")
        let summary = try section(text, "## Summary")
        #expect(summary.contains("- table5: 1 row not run: `n` — same run as Table 1 `n` (`quick`)."), "\(summary)")
        #expect(summary.contains("- table5: 3 rows at `quick` (data subset, mnist 5000/1000, 3 epochs; the runs of Table 1), "
            + "3 seeds each."), "\(summary)")
    }

    /// Each run is counted once: result files, compute and summary.csv count Table 1's files under
    /// Table 1 only; the diagnostics show them there; the sparsity verdict uses each seed once.
    @Test func theNamedRowsRunsAreCountedOnce() throws {
        let fixture = try sameRunFixture()
        let text = try fixture.report().text
        #expect(text.contains("from 3 experiment files and 10 result files (10 complete)"), "9 of Table 1, 1 of Table 5")
        let compute = try section(text, "### Compute")
        #expect(compute.contains("| table1 | 9 | 27 |") && compute.contains("| table5 | 1 | 2 |") && compute.contains("| all | 10 | 29 |"),
                "\(compute)")
        #expect(!compute.contains("| figure |"), "the figure trained nothing")
        let diagnostics = try section(text, "## Appendix B — diagnostics per row")
        #expect(diagnostics.contains("table1 · <code>a</code> · profile <code>quick</code>"))
        #expect(!diagnostics.contains("table5 · <code>a</code>") && !diagnostics.contains("figure · <code>a</code>"), "\(diagnostics)")
        let verdicts = try section(text, "## Verdicts on the paper's claims")
        #expect(verdicts.contains("| mnist · mnist_64c5s_f64c5 · T=30 (the runs of Table 1) | quick | 0.400 % (n = 3) | "
            + "0.400 % (n = 3) | 0.400 % (n = 3) |"), "\(verdicts)")

        let csv = try String(contentsOfFile: fixture.results + "/summary.csv", encoding: .utf8).components(separatedBy: "\r\n")
        #expect(csv.first?.hasSuffix(",git_revision,command,same_run_as") == true)
        let borrowed = csv.filter { $0.hasPrefix("table5,a,ide,quick,") }
        #expect(borrowed.count == 3 && borrowed.allSatisfy { $0.hasSuffix(",table1/a") }, "\(borrowed)")
        #expect(borrowed.first?.contains(",98.75,") == true && borrowed.first?.contains(",fsnn run experiments/table1.yaml "
            + "--profile quick --rows a --seeds 0,") == true, "\(borrowed)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.results
            + "/summary.json"))) as? [[String: Any]])
        let entries = json.filter { $0["table"] as? String == "table5" && $0["row"] as? String == "a" }
        #expect(entries.count == 3 && entries.allSatisfy { $0["wall_seconds"] is NSNull && $0["cpu_seconds"] is NSNull })
        #expect(json.filter { $0["table"] as? String == "table1" && $0["row"] as? String == "a" }
            .allSatisfy { ($0["wall_seconds"] as? Double ?? 0) > 0 && $0["same_run_as"] is NSNull })
    }
}
