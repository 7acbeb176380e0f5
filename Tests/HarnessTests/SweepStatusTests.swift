import Foundation
@testable import Harness
import TestSupport
import Testing

/// `fsnn status` from result files and submission records (the scheduler's side is asked only
/// by `make test-slurm`, against real daemons).
@Suite struct SweepStatusTests {
    @Test func everyRunShowsWhereItStandsAndWhichJobHoldsIt() throws {
        let fixture = try RunnerFixture()
        let experiment = try fixture.experiment(tinyExperiment(
            defaults: ["seeds: [0, 1]"], rows: [("a", []), ("b", []), ("mnist-if", ["dataset: mnist"])]))
        let runs = experiment.runs(.quick)
        func write(_ row: String, seed: Int, status: RunStatus, epochs: Int, job: SlurmJobIdentity?) throws {
            let accuracies = Array([80.0, 85.5, 84.0].prefix(epochs))
            var record = syntheticRecord(table: "tiny", row: row, seed: seed, testAccuracies: accuracies, status: status)
            record.settings = runs.first { $0.row == row }!.settingAttributes.map { ConfigEntry(name: $0.name, value: $0.value) }
            record.placement = RunPlacement(host: "node1", slurmJob: job)
            try ResultStore.write(record, to: fixture.resultPath(row, seed: seed))
        }
        try write("a", seed: 0, status: .complete, epochs: 2, job: SlurmJobIdentity(jobId: 31, arrayJobId: 30, arrayTaskId: 0))
        try write("a", seed: 1, status: .running, epochs: 1, job: SlurmJobIdentity(jobId: 32, arrayJobId: 30, arrayTaskId: 1))
        try write("b", seed: 0, status: .failed(StopPoint(epoch: 1, batch: 2, message: "loss is NaN")), epochs: 0, job: nil)
        try write("b", seed: 7, status: .interrupted(StopPoint(epoch: 2, batch: 0, message: "stopped")), epochs: 1, job: nil)
        let submission = SlurmSubmissionRecord(
            table: "tiny", experiment: experiment.path, profile: "quick", arrayJobId: 30, reportJobId: 33,
            tasks: [SlurmTask(index: 0, row: "a", seed: 0, action: "start"), SlurmTask(index: 1, row: "a", seed: 1, action: "start"),
                    SlurmTask(index: 2, row: "b", seed: 1, action: "start"), SlurmTask(index: 3, row: "b", seed: 5, action: "start")])
        try submission.write(in: "\(fixture.runs)/slurm")

        let scope = SweepStatus.Scope(resultsRoot: fixture.results, runsRoot: fixture.runs, experiment: experiment,
                                      profile: .quick, dataRoot: fixture.data.root)
        let status = SweepStatus.gather(scope, client: nil)
        let shown = status.entries.map { "\($0.row) \($0.seed): \($0.progress.description) · \($0.jobName ?? "—")" }
        #expect(shown == [
            "a 0: complete, best 85.50 % (epoch 2) · 30_0",
            "a 1: running, epoch 2/2 · 30_1",
            "b 0: failed in epoch 1, batch 2: loss is NaN · —",
            "b 1: not started · 30_2",
            "b 5: not started · 30_3",
            "b 7: interrupted in epoch 2/2, batch 0 · —",
            "mnist-if 0: data missing: mnist not found under \(fixture.data.root.path) · —",
            "mnist-if 1: data missing: mnist not found under \(fixture.data.root.path) · —",
        ], "\(status.text)")
        #expect(status.reportJobs.map(\.id) == [33])
        let text = status.text
        #expect(text.hasPrefix("table  row       seed  state"))
        #expect(text.contains("8 runs: 1 complete, 1 running, 1 failed, 2 not started, 1 interrupted, 2 data missing"))
        #expect(text.contains("report job 33 (tiny): not listed"))
        #expect(!status.isSettled, "a run is training outside any job the scheduler was asked about")

        // Without the file: the result files and the submission's runs.
        let files = SweepStatus.gather(SweepStatus.Scope(resultsRoot: fixture.results, runsRoot: fixture.runs, experiment: nil,
                                                         profile: .quick, dataRoot: fixture.data.root), client: nil)
        #expect(files.entries.map { "\($0.row) \($0.seed)" } == ["a 0", "a 1", "b 0", "b 7", "b 1", "b 5"])
    }

    /// A result file of another profile is not the run asked about: the status says whose it is
    /// instead of counting it complete (`fsnn run` at this profile would refuse to replace it).
    @Test func aResultFileOfAnotherProfileIsNotThisProfilesRun() throws {
        let fixture = try RunnerFixture()
        let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
        try ResultStore.write(syntheticRecord(table: "tiny", row: "a", profile: .smoke, testAccuracies: [80]),
                              to: fixture.resultPath("a"))
        func state(_ profile: Profile) -> String {
            let scope = SweepStatus.Scope(resultsRoot: fixture.results, runsRoot: fixture.runs, experiment: experiment,
                                          profile: profile, dataRoot: fixture.data.root)
            return SweepStatus.gather(scope, client: nil).entries.map(\.progress.description).joined()
        }
        #expect(state(.quick) == "not run at this profile: the result file is a smoke run (complete, best 80.00 % (epoch 1))")
        #expect(state(.smoke) == "complete, best 80.00 % (epoch 1)")
    }

    /// A run of the released reference code in a row's `reference/` folder is no run of fsnn's.
    @Test func referenceRunsAreNotListed() throws {
        let fixture = try RunnerFixture()
        try ResultStore.write(syntheticRecord(table: "tiny", row: "a"), to: fixture.resultPath("a"))
        var reference = syntheticRecord(table: "tiny", row: "a", seed: 1, status: .running)
        reference.implementation = "pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu)"
        try ResultStore.write(reference, to: "\(fixture.results)/tiny/a/reference/seed-1.h5")
        let scope = SweepStatus.Scope(resultsRoot: fixture.results, runsRoot: fixture.runs, experiment: nil,
                                      profile: .quick, dataRoot: fixture.data.root)
        let status = SweepStatus.gather(scope, client: nil)
        #expect(status.entries.map { "\($0.row) \($0.seed)" } == ["a 0"], "\(status.text)")
        #expect(status.isSettled)
    }

    @Test func aNewerJobInTheResultFileWinsOverAnOlderSubmission() throws {
        let fixture = try RunnerFixture()
        var record = syntheticRecord(table: "tiny", row: "a", status: .running)
        record.placement = RunPlacement(host: "n", slurmJob: SlurmJobIdentity(jobId: 61, arrayJobId: 60, arrayTaskId: 4))
        try ResultStore.write(record, to: fixture.resultPath("a"))
        try SlurmSubmissionRecord(table: "tiny", experiment: "x", profile: "quick", arrayJobId: 50, reportJobId: 51,
                                  tasks: [SlurmTask(index: 2, row: "a", seed: 0, action: "start")]).write(in: "\(fixture.runs)/slurm")
        let scope = SweepStatus.Scope(resultsRoot: fixture.results, runsRoot: fixture.runs, experiment: nil,
                                      profile: .quick, dataRoot: fixture.data.root)
        #expect(SweepStatus.gather(scope, client: nil).entries.map(\.jobName) == ["60_4"])
        try SlurmSubmissionRecord(table: "tiny", experiment: "x", profile: "quick", arrayJobId: 70, reportJobId: 71,
                                  tasks: [SlurmTask(index: 0, row: "a", seed: 0, action: "resume after epoch 1")])
            .write(in: "\(fixture.runs)/slurm")
        #expect(SweepStatus.gather(scope, client: nil).entries.map(\.jobName) == ["70_0"])
    }

    @Test func aSweepIsSettledWhenNoJobIsLiveAndNothingTrainsOutsideOne() {
        func entry(_ progress: RunProgress, _ state: String?) -> SweepStatus.Entry {
            var entry = SweepStatus.Entry(table: "t", row: "r", seed: 0, progress: progress)
            if let state {
                entry.job = (1, 0)
                entry.scheduler = SlurmJobState(id: "1_0", jobId: 2, arrayJobId: 1, arrayTaskId: 0, state: state)
            }
            return entry
        }
        func settled(_ entries: [SweepStatus.Entry], report: String? = nil) -> Bool {
            SweepStatus(entries: entries, reportJobs: report.map { [("t", 3, SlurmJobState(id: "3", jobId: 3, state: $0))] } ?? [],
                        schedulerProblem: nil).isSettled
        }
        #expect(settled([entry(.complete(best: 90, epoch: 1), "COMPLETED")], report: "COMPLETED"))
        #expect(!settled([entry(.complete(best: 90, epoch: 1), "COMPLETED")], report: "PENDING"))
        #expect(!settled([entry(.notStarted, "PENDING")]))
        #expect(!settled([entry(.running(epoch: 1, of: 2), "RUNNING")]))
        #expect(!settled([entry(.running(epoch: 1, of: 2), nil)]), "training locally")
        #expect(settled([entry(.running(epoch: 1, of: 2), "CANCELLED")]), "its job is gone: the file is stale")
        #expect(settled([entry(.failed(StopPoint(epoch: 1, batch: 0, message: "x")), "FAILED"), entry(.notStarted, nil)]))
    }
}
