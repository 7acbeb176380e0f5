import Foundation
import Harness
import Testing

extension RunnerTests {
    /// A run that diverges fails as diverged, with its epoch, batch and loss history, and the table
    /// goes on (issue 11, item 6).
    @Suite struct Divergence {
        static func failure(_ lines: [String]) throws -> (StopPoint, RunRecord) {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(defaults: lines, rows: [("a", [])]))
            let summary = try withOneThread { try fixture.runner(experiment, fixture.options()).run() }
            let record = try ResultStore.read(fixture.resultPath("a"))
            guard case let .failed(stop) = record.status else {
                Issue.record("not failed: \(summary.text)")
                return (StopPoint(epoch: 0, batch: 0, message: ""), record)
            }
            #expect(summary.exitCode == 1)
            return (stop, record)
        }

        /// lr 1000 makes F400's loss thousands of times ln 10 from the second batch on; the tiny
        /// epochs have 3 batches, so the first epoch (which starts at the untrained ≈ 2.3) is
        /// recorded and the second, all of whose batches are far above 23, fails.
        @Test func aLossFarAboveGuessingForEveryBatchOfAnEpochIsDivergence() throws {
            let (stop, record) = try Self.failure(["learning_rate: 1000"])
            #expect(stop.epoch == 2 && stop.batch == 2, "\(stop)")
            #expect(stop.message.hasPrefix("diverged: the training loss exceeded 23 (divergence_factor 10 × ln C, the loss "
                + "of guessing) for 3 consecutive batches; loss history of the epoch (3 batches): "), "\(stop.message)")
            #expect(record.epochs.count == 1 && record.epochs[0].trainLoss > 23, "\(record.epochs.map(\.trainLoss))")
        }

        /// At lr 50 the second epoch's losses are far above 23 but the weights stay usable: the
        /// default factor stops the run, 1e30 lets it complete.
        @Test(arguments: [("divergence_factor: 10", false), ("divergence_factor: 1.0e+30", true)])
        func theFactorDecides(_ factor: String, completes: Bool) throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(defaults: ["learning_rate: 50", factor], rows: [("a", [])]))
            let summary = try withOneThread { try fixture.runner(experiment, fixture.options()).run() }
            let record = try ResultStore.read(fixture.resultPath("a"))
            if completes {
                #expect(summary.reports.map(\.outcome) == [.finished(.complete)], "\(summary.text)")
                #expect(record.epochs.count == 2 && record.epochs[1].trainLoss > 23, "\(record.epochs.map(\.trainLoss))")
            } else {
                guard case let .failed(stop) = record.status else {
                    Issue.record("not failed: \(summary.text)")
                    return
                }
                #expect(stop.epoch == 2 && stop.message.contains("the training loss exceeded 23"), "\(stop)")
            }
            #expect(record.settings.contains { $0.name == "divergence_factor" })
        }

        /// At lr 1e30 the weights stay finite after one step but their squares do not: the spectral
        /// norm's power iteration breaks down, and that is the run's divergence, not SpectralNorm's.
        @Test func aSpectralNormBrokenByHugeWeightsIsDivergence() throws {
            let (stop, record) = try Self.failure(["learning_rate: 1.0e+30"])
            #expect(stop.epoch == 1 && stop.batch == 1, "\(stop)")
            #expect(stop.message.hasPrefix("diverged: after the optimiser's steps (learning rate 1e+30) the spectral norm "),
                    "\(stop.message)")
            #expect(stop.message.contains("whose square overflows Float32") && stop.message.contains("(1 batches): 2."),
                    "\(stop.message)")
            #expect(record.epochs.isEmpty)
        }

        /// An epoch of one batch: the step's damage shows only in the evaluation after it, which
        /// must still name the run's divergence (and the gradient behind it), not SpectralNorm's.
        @Test func aSpectralNormBrokenBeforeTheEvaluationIsDivergence() throws {
            let (stop, record) = try Self.failure(["learning_rate: 1.0e+30", "train_batches: 1"])
            #expect(stop.epoch == 1 && stop.batch == 0, "\(stop)")
            #expect(stop.message.hasPrefix("diverged: after the optimiser's steps (learning rate 1e+30) the spectral norm "),
                    "\(stop.message)")
            #expect(stop.message.contains("the epoch's largest gradient norm ‖∂L/∂θ‖ was "), "\(stop.message)")
            #expect(record.epochs.isEmpty)
        }

        /// Committed results carry no `divergence_factor`: unset, it is no attribute, so their
        /// settings (and resume identities) stay what they were.
        @Test func theUnsetFactorIsNotRecorded() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            _ = try withOneThread { try fixture.runner(experiment, fixture.options(.smoke)).run() }
            #expect(!(try ResultStore.read(fixture.resultPath("a"))).settings.contains { $0.name == "divergence_factor" })
        }
    }
}
