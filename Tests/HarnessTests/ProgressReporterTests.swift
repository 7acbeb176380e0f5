@testable import FSNN
@testable import Harness
import Testing

/// Progress lines where nobody watches a terminal: every 10 % of an epoch or every 30 s,
/// whichever comes first, with batch i/n, running loss and accuracy, rate, solver iterations,
/// s/batch and the ETAs of the epoch and the run.
@Suite struct ProgressReporterTests {
    static func report(loss: Float, correct: Int, iterations: Int?) -> TrainingStepReport {
        TrainingStepReport(loss: loss, correct: correct, samples: 10, learningRate: 0.05,
                           solver: iterations.map { SolverStatistics(iterations: $0, relativeResidual: 1e-3) },
                           spikeCounts: [5], meanRates: [0.0125], timing: StepTiming(), transientPeakBytes: 0,
                           absolutePeakBytes: 0, gradientNorm: 1)
    }

    /// 100 batches of 1 s each: a line after batches 10, 20, …, 90 (10 %), none after the last
    /// (the epoch line follows). At 2 s per batch, 30 s pass before 10 % of 100 batches do.
    @Test func logLinesEveryTenPercentOrThirtySeconds() throws {
        var now = 0.0, lines: [String] = []
        let progress = ProgressReporter(label: "[t/r seed 0]", firstEpoch: 0, isTerminal: false, clock: { now },
                                        output: { lines.append($0) })
        for index in 0..<100 {
            now += 1
            try progress.batch(index, of: 100, epoch: 0, of: 3, report: Self.report(loss: 2, correct: 5, iterations: 10 + index % 2))
        }
        #expect(lines.count == 9, "\(lines)")
        #expect(lines.first == "[t/r seed 0] epoch 1/3 batch 10/100 loss 2.0000 acc 50.00% rate 0.0125 it 10.5 1 s/batch "
            + "ETA epoch 1m30s, run 4m50s\n", "\(lines.first ?? "")")

        lines = []
        now = 0
        let slow = ProgressReporter(label: "", firstEpoch: 0, isTerminal: false, clock: { now }, output: { lines.append($0) })
        for index in 0..<10 {
            now += 2
            try slow.batch(index, of: 1000, epoch: 0, of: 1, report: Self.report(loss: 1, correct: 10, iterations: nil))
        }
        now += 2
        try slow.batch(10, of: 1000, epoch: 0, of: 1, report: Self.report(loss: 1, correct: 10, iterations: nil))
        #expect(lines.isEmpty, "\(lines)")
        for index in 11..<15 {
            now += 2
            try slow.batch(index, of: 1000, epoch: 0, of: 1, report: Self.report(loss: 1, correct: 10, iterations: nil))
        }
        #expect(lines == ["epoch 1/1 batch 15/1000 loss 1.0000 acc 100.00% rate 0.0125 2 s/batch ETA epoch 32m50s, run 32m50s\n"],
                "\(lines)")
    }

    /// After an epoch the run's ETA uses the measured epoch time, evaluation included.
    @Test func theRunETAFollowsFinishedEpochs() throws {
        var now = 0.0, lines: [String] = []
        let progress = ProgressReporter(label: "", firstEpoch: 0, isTerminal: true, clock: { now }, output: { lines.append($0) })
        let summary = TrainingEpochSummary(learningRate: 0.05, layers: 1)
        let test = EvaluationSummary(layerSizes: [10], synapsesPerSpike: [1], timeSteps: 5)
        now = 100
        try progress.epoch(0, of: 4, training: summary, test: test, seconds: 100)
        #expect(lines.last?.hasSuffix(" ETA run 5m00s\n") == true, "\(lines)")
        now = 110
        try progress.batch(0, of: 10, epoch: 1, of: 4, report: Self.report(loss: 1, correct: 1, iterations: 7))
        #expect(lines.last?.hasSuffix("it 7.0 ETA epoch 1m30s, run 4m50s") == true, "\(lines)")
    }
}
