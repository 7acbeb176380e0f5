import Datasets
import Foundation
import FSNN
import Tensor

/// `fsnn run --dry-run`: the runs a request would train, each with an estimated duration from a
/// short measured probe, so that a 17-hour row is seen before it starts. Nothing is written.
///
/// The probe builds the run's session on its data and times `probeIterations` training
/// iterations after one warm-up (which allocates the workspaces) and one test batch; the estimate
/// is the remaining epochs × (training batches × seconds per iteration + test batches × seconds
/// per test batch). Seeds of a row share one probe. The probe runs with this process's threads,
/// so with `--jobs N` (one thread per run) a run takes longer than estimated here.
public struct RunEstimate {
    public struct Line: Sendable {
        public var row: String
        public var seed: Int
        /// "start", "resume after epoch 3", "skip (complete)", "data missing", "same run as table1/mnist-if".
        public var action: String
        public var epochs: Int
        public var batchesPerEpoch: Int
        public var secondsPerIteration: Double?
        public var seconds: Double?
    }

    public let lines: [Line]
    /// One line per probed row, in plan order: what a whole run of it takes here (seeds share it).
    public let rows: [ProtocolEstimate.Row]
    public let probeIterations: Int

    /// With `probingCompleteRuns`, rows whose runs are all complete are probed too (their lines
    /// still skip), so that `rows` covers every row with data.
    public init(_ runner: ExperimentRunner, probeIterations: Int = 3, probingCompleteRuns: Bool = false) throws {
        let data = RunData(root: runner.options.dataRoot, interrupt: runner.interrupt)
        var lines: [Line] = [], rows: [ProtocolEstimate.Row] = []
        for planned in try runner.plan() {
            let run = planned.run
            var line = Line(row: run.row, seed: planned.seed, action: "", epochs: run.training.epochs, batchesPerEpoch: 0)
            let (dataset, firstEpoch): (DatasetName, Int)
            switch planned.action {
            case .skip:
                line.action = "skip (complete)"
                guard probingCompleteRuns, case let .available(name) = DataAvailability.of(run, in: runner.options.dataRoot)
                else {
                    lines.append(line)
                    continue
                }
                (dataset, firstEpoch) = (name, run.training.epochs)
            case .missingData:
                line.action = "data missing"
                lines.append(line)
                continue
            case let .sameRun(same):
                line.action = "same run as \(same)"
                lines.append(line)
                continue
            case let .start(name, _):
                (dataset, firstEpoch, line.action) = (name, 0, "start")
            case let .resume(name, after):
                (dataset, firstEpoch, line.action) = (name, after, "resume after epoch \(after)")
            }
            if !rows.contains(where: { $0.row == run.row }) {
                let probe = try Self.probe(run, dataset: dataset, data: data, seed: planned.seed, iterations: probeIterations)
                rows.append(ProtocolEstimate.Row(row: run.row, seeds: run.seeds.count, epochs: run.training.epochs,
                                                 batchesPerEpoch: probe.batches, secondsPerIteration: probe.perIteration,
                                                 secondsPerEpoch: probe.perEpoch))
            }
            let probe = rows.first { $0.row == run.row }!
            line.batchesPerEpoch = probe.batchesPerEpoch
            line.secondsPerIteration = probe.secondsPerIteration
            if firstEpoch < run.training.epochs {
                line.seconds = Double(run.training.epochs - firstEpoch) * probe.secondsPerEpoch
            }
            lines.append(line)
        }
        self.lines = lines
        self.rows = rows
        self.probeIterations = probeIterations
    }

    private struct ProbeDone: Error {}

    /// Seconds per training iteration, per epoch (training and evaluation) and batches per epoch.
    private static func probe(_ run: ExperimentRun, dataset name: DatasetName, data: RunData, seed: Int, iterations: Int)
        throws -> (perIteration: Double, perEpoch: Double, batches: Int) {
        let dataset = try data.dataset(name, options: run.training.datasetOptions(augmentation: run.augmentation))
        let session = try TrainingSession(configuration: run.training, dataset: dataset, seed: UInt64(seed),
                                          limits: run.dataLimits)
        let count = min(iterations + 1, session.trainBatchesPerEpoch)
        var times: [Double] = []
        do {
            _ = try session.trainEpoch(0) { index, report in
                times.append(report.timing.total)
                if index + 1 == count { throw ProbeDone() }
            }
        } catch is ProbeDone {}
        let measured = times.count > 1 ? Array(times.dropFirst()) : times
        let perIteration = measured.reduce(0, +) / Double(max(measured.count, 1))
        var clock = LapTimer()
        let test = session.testBatcher
        if let batch = test.nextEpoch().next() {
            _ = try session.trainer.evaluate(session.networkInput(batch), labels: batch.labels)
        }
        let perTestBatch = clock.lap()
        let testBatches = min(test.batchesPerEpoch, run.dataLimits.testBatches ?? .max)
        let perEpoch = Double(session.trainBatchesPerEpoch) * perIteration + Double(testBatches) * perTestBatch
        return (perIteration, perEpoch, session.trainBatchesPerEpoch)
    }

    /// A table of the runs and the total.
    public var text: String {
        var rows = ["| row | seed | action | epochs × batches | s / iteration | estimate |", "|---|--:|---|--:|--:|--:|"]
        for line in lines {
            let size = line.batchesPerEpoch > 0 ? "\(line.epochs) × \(line.batchesPerEpoch)" : "—"
            let perIteration = line.secondsPerIteration.map { String(format: "%.3g", $0) } ?? "—"
            let estimate = line.seconds.map(ProgressReporter.duration) ?? "—"
            rows.append("| \(line.row) | \(line.seed) | \(line.action) | \(size) | \(perIteration) | \(estimate) |")
        }
        let total = lines.compactMap(\.seconds).reduce(0, +)
        let planned = lines.filter { $0.seconds != nil }.count
        return rows.joined(separator: "\n") + "\n\n\(counted(planned, "run")) to train, about "
            + "\(ProgressReporter.duration(total)) one after another (probed with this process's threads).\n"
    }
}
