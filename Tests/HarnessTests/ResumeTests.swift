import Datasets
import Foundation
import Harness
import Tensor
import Testing

extension RunnerTests {
    /// Exact resume: a run stopped after its first epoch and resumed must end bit for bit where the
    /// uninterrupted run ends (one thread, so the floating-point order is fixed).
    @Suite struct Resume {
        /// Warm-up across the epoch boundary and a milestone at epoch 1 make the schedule's
        /// position matter; SGD with momentum and Adam have different optimiser state; dropout
        /// (p = 0.2) and shuffling make every random stream matter; stratified subsets are drawn
        /// again from the seed on resume.
        static let settings: [[String]] = [
            ["warmup_iterations: 4", "milestones: [1]"],
            ["optimizer: adam", "learning_rate: 0.001", "method: stbp", "warmup_iterations: 4", "milestones: [1]"],
            ["train_subset: 30", "test_subset: 20", "warmup_iterations: 4", "milestones: [1]"],
        ]

        @Test(arguments: settings)
        func twoEpochsStraightEqualOneEpochThenResumeThenOne(_ settings: [String]) throws {
            try withOneThread {
                let fixture = try RunnerFixture()
                // Smoke runs one epoch of 3 batches, shorter than the warm-up of 4 (a validation error).
                let experiment = try fixture.experiment(tinyExperiment(
                    defaults: settings, rows: [("a", ["profiles: {smoke: {warmup_iterations: 3}}"])]))
                let (straightResults, straightRuns) = (fixture.results + "-straight", fixture.runs + "-straight")
                let straight = try fixture.runner(experiment, fixture.options(results: straightResults, runs: straightRuns)).run()
                #expect(straight.reports.map(\.outcome) == [.finished(.complete)])

                let flag = InterruptFlag()
                let first = fixture.runner(experiment, fixture.options(), interrupt: flag)
                first.onEpochRecorded = { record in if record.epochs.count == 1 { flag.request() } }
                let stopped = try first.run()
                #expect(stopped.exitCode == 130)
                guard case let .interrupted(stop)? = stopped.reports.first?.outcome.status else {
                    Issue.record("not interrupted: \(stopped.text)")
                    return
                }
                #expect(stop.epoch == 2 && stop.batch == 0)
                let interrupted = try ResultStore.read(fixture.resultPath("a"))
                #expect(interrupted.status == .interrupted(stop) && interrupted.epochs.count == 1)
                #expect(try Checkpoint.readSummary(fixture.checkpointPath("a")).progress.epoch == 1)

                let resuming = fixture.runner(experiment, fixture.options(resume: true))
                #expect(try resuming.plan().map(\.action) == [.resume(dataset: .fashionMNIST, afterEpoch: 1)])
                let resumed = try resuming.run()
                #expect(resumed.reports.map(\.outcome) == [.finished(.complete)] && resumed.exitCode == 0)

                let a = try Checkpoint.read(fixture.checkpointPath("a", runs: straightRuns))
                let b = try Checkpoint.read(fixture.checkpointPath("a"))
                for (name, x, y) in [("weights", a.weights, b.weights), ("buffers", a.buffers, b.buffers),
                                     ("optimizer", a.optimizerTensors, b.optimizerTensors)] {
                    #expect(x.map(\.name) == y.map(\.name), "\(name)")
                    #expect(!x.isEmpty, "\(name)")
                    for (p, q) in zip(x, y) {
                        #expect(p.tensor.shape == q.tensor.shape && p.tensor.scalars.map(\.bitPattern) == q.tensor.scalars.map(\.bitPattern),
                                "\(name)/\(p.name) differs")
                    }
                }
                #expect(a.optimizerScalars == b.optimizerScalars)
                #expect(a.randomStreams == b.randomStreams && a.randomStreams.count == 5)
                #expect(a.progress == b.progress && a.progress.epoch == 2 && a.progress.iteration == 6)
                #expect(a.metadata == b.metadata)

                let ra = try ResultStore.read(fixture.resultPath("a", results: straightResults))
                let rb = try ResultStore.read(fixture.resultPath("a"))
                #expect(ra.status == .complete && rb.status == .complete)
                #expect(ra.epochs.count == 2 && rb.epochs.count == 2)
                for (x, y) in zip(ra.epochs, rb.epochs) {
                    var y = y
                    y.seconds = x.seconds
                    #expect(x == y)
                }
                // Memory is per process (workspaces are allocated by a process's first batch), so
                // only the iteration count must agree.
                #expect(ra.memory.peakBytes.count == 6 && rb.memory.peakBytes.count == 6)
                #expect(ra.rates == rb.rates && ra.rates != nil)
            }
        }

        /// Quirk B8: the reference builds a new scheduler on resume, so warm-up is gone and the
        /// milestones count from the resumed epoch.
        @Test func resumeResetsLRScheduleQuirkRestartsTheSchedule() throws {
            try withOneThread {
                let fixture = try RunnerFixture()
                let experiment = try fixture.experiment(tinyExperiment(
                    defaults: ["warmup_iterations: 6", "milestones: [1]", "learning_rate: 0.05"],
                    rows: [("b", ["quirks: [resume_resets_lr_schedule]", "profiles: {smoke: {warmup_iterations: 3}}"])]))
                let flag = InterruptFlag()
                let first = fixture.runner(experiment, fixture.options(), interrupt: flag)
                first.onEpochRecorded = { record in if record.epochs.count == 1 { flag.request() } }
                _ = try first.run()
                let resumed = try fixture.runner(experiment, fixture.options(resume: true)).run()
                #expect(resumed.reports.map(\.outcome) == [.finished(.complete)])
                let record = try ResultStore.read(fixture.resultPath("b"))
                // Epoch 1's last iteration (i = 2) is in the warm-up of the run's 6 iterations: 0.05 · 3/6.
                #expect(record.epochs[0].learningRate == Double(Float(0.05) * (Float(3) / Float(6))))
                // After the resume: no warm-up, and milestone 1 now means epoch 1 + 1, so no decay yet.
                #expect(record.epochs[1].learningRate == Double(Float(0.05)))
            }
        }

        @Test func resumingFromACheckpointOfAnotherConfigurationIsRefused() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            let flag = InterruptFlag()
            let first = fixture.runner(experiment, fixture.options(), interrupt: flag)
            first.onEpochRecorded = { _ in flag.request() }
            _ = try first.run()
            let before = try Data(contentsOf: URL(fileURLWithPath: fixture.resultPath("a")))

            let changed = try fixture.experiment(tinyExperiment(defaults: ["time_steps: 4"], rows: [("a", [])]))
            do {
                _ = try fixture.runner(changed, fixture.options(resume: true)).run()
                Issue.record("resumed a checkpoint of another configuration")
            } catch let error as RunnerError {
                let text = error.description
                #expect(text.contains(fixture.checkpointPath("a")), "\(text)")
                #expect(text.contains("time_steps: 3 in the checkpoint, 4 requested"), "\(text)")
                #expect(text.hasPrefix("nothing was run"), "\(text)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.resultPath("a"))) == before)
        }
    }
}
