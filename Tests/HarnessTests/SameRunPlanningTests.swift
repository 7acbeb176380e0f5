import Foundation
import Harness
import TestSupport
import Testing

/// `tiny.yaml` (rows `a`, `b`) and `tinyrates.yaml`, a rates table whose row `a` is `tiny/a` at
/// `smoke` and whose row `b` trains on its own.
struct SameRunFiles {
    let fixture: RunnerFixture
    let referenced: Experiment
    let referring: Experiment

    init() throws {
        fixture = try RunnerFixture()
        referenced = try fixture.experiment(tinyExperiment(rows: [("a", ["label: \"A\""]), ("b", [])]))
        let rates = tinyExperiment(table: "tinyrates", rows: [
            ("a", ["label: \"A\"", "same_run_as: {smoke: tiny/a}"]), ("b", []),
        ]).replacingOccurrences(of: "kind: accuracy", with: "kind: rates")
            .replacingOccurrences(of: "title: \"Tiny table\"", with: "title: \"Tiny rates — per layer\"")
        referring = try fixture.experiment(rates, name: "tinyrates.yaml")
    }

    var referencedPath: String { "\(fixture.experimentsDirectory)/tiny.yaml" }
}

@Suite struct SameRunPlanningTests {
    /// The row that is another file's run is planned as such, for each seed, before its data is
    /// looked for; its other profiles and the other rows plan as usual.
    @Test func theRunnerPlansAReferringRowAsAnotherFilesRun() throws {
        let files = try SameRunFiles()
        var options = files.fixture.options(.smoke)
        options.seeds = [0, 3]
        let plan = try files.fixture.runner(files.referring, options).plan()
        let same = try #require(files.referring.run("a", profile: .smoke)?.sameRunAs)
        #expect(plan.map(\.action) == [.sameRun(same), .sameRun(same), .start(dataset: .fashionMNIST, note: nil),
                                       .start(dataset: .fashionMNIST, note: nil)])
        let quick = try files.fixture.runner(files.referring, files.fixture.options(.quick)).plan()
        #expect(quick.map(\.action) == [.start(dataset: .fashionMNIST, note: nil), .start(dataset: .fashionMNIST, note: nil)])
    }

    /// `--rows` naming only such a row trains nothing, writes nothing and says where the run
    /// comes from: the other row's result file and the command that trains it.
    @Test func selectingOnlyAReferringRowTrainsNothingAndNamesTheRun() throws {
        let files = try SameRunFiles()
        var options = files.fixture.options(.smoke)
        options.rows = ["a"]
        let summary = try files.fixture.runner(files.referring, options).run()
        #expect(summary.exitCode == 0)
        let resultFile = files.fixture.resultPath("a", table: "tiny")
        #expect(summary.reports.map(\.outcome) == [.sameRun(try #require(files.referring.run("a", profile: .smoke)?.sameRunAs),
                                                            resultFile: resultFile, status: "not run yet")])
        #expect(summary.text == """
            tinyrates (profile smoke): 1 same run as another table's row
              a seed 0: same run as tiny/a — \(resultFile): not run yet; trained by fsnn run \(files.referencedPath) \
            --profile smoke --rows a
            Nothing was trained: at profile smoke the selected rows are other tables' runs, trained by the commands above.
            """)
        #expect(!FileManager.default.fileExists(atPath: files.fixture.results), "nothing written, not even a folder")
        #expect(!FileManager.default.fileExists(atPath: files.fixture.runs))
    }

    /// The dry run estimates no training for it; a Slurm sweep makes no task of it and lists it.
    @Test func theDryRunAndSlurmLeaveItOut() throws {
        let files = try SameRunFiles()
        var options = files.fixture.options(.smoke)
        options.rows = ["a"]
        let estimate = try RunEstimate(files.fixture.runner(files.referring, options))
        #expect(estimate.lines.map(\.action) == ["same run as tiny/a"] && estimate.lines.allSatisfy { $0.seconds == nil })
        #expect(estimate.text.contains("0 runs to train"), "\(estimate.text)")

        options.rows = nil
        let sweep = try SlurmSweep(runner: files.fixture.runner(files.referring, options), options: SlurmOptions(),
                                   executable: "fsnn", workingDirectory: files.fixture.data.directory.path)
        #expect(sweep.tasks.map(\.row) == ["b"])
        #expect(sweep.notSubmitted == ["a seed 0: same run as tiny/a, trained by fsnn run \(files.referencedPath) "
            + "--profile smoke --rows a"])
        #expect(sweep.dryRunText.contains("not submitted:\n  a seed 0: same run as tiny/a"))
    }

    /// `fsnn status` of the referring file shows the named row's result file.
    @Test func statusShowsTheNamedRowsRuns() throws {
        let files = try SameRunFiles()
        var record = syntheticRecord(table: "tiny", row: "a", profile: .smoke, testAccuracies: [40.0])
        record.status = .complete
        try ResultStore.write(record, to: files.fixture.resultPath("a", table: "tiny"))
        let status = SweepStatus.gather(.init(resultsRoot: files.fixture.results, runsRoot: files.fixture.runs,
                                              experiment: files.referring, profile: .smoke, dataRoot: files.fixture.data.root),
                                        client: nil)
        #expect(status.entries.map { "\($0.table)/\($0.row) \($0.seed) \($0.progress.name)" }
            == ["tiny/a 0 complete", "tinyrates/b 0 not started"])
    }
}
