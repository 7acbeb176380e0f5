import Datasets
import FSNN
import Tensor

/// `fsnn train`: one configuration trained and evaluated epoch by epoch, progress on standard
/// error, nothing written to disk (the experiment runner is the tool for recorded results).
public enum AdHocTraining {
    /// Per-epoch test accuracy and wall time, in order.
    public struct EpochLine: Sendable {
        public let epoch: Int
        public let trainAccuracy: Double
        public let testAccuracy: Double
        public let seconds: Double
        public let dataWaitFraction: Double
        public let solverIterations: Double
    }

    public static func run(configuration: TrainingConfiguration, dataset name: DatasetName, root: DataRoot,
                           seed: UInt64, limits: DataLimits) throws -> [EpochLine] {
        let dataset = try DatasetCatalog.load(name, from: root)
        let session = try TrainingSession(configuration: configuration, dataset: dataset, seed: seed, limits: limits)
        let progress = ProgressReporter(label: "[\(configuration.model.rawValue) \(configuration.method.rawValue)]")
        progress.note("OpenBLAS \(BLAS.coreName), \(BLAS.threadCount) threads; \(session.trainer.network.parameterCount) parameters")
        var lines: [EpochLine] = []
        for epoch in 0..<configuration.epochs {
            let training = try session.trainEpoch(epoch) { index, report in
                progress.batch(index, of: session.trainBatchesPerEpoch, epoch: epoch, of: configuration.epochs,
                               report: report)
            }
            let test = try session.evaluate()
            progress.epoch(epoch, of: configuration.epochs, training: training, test: test)
            lines.append(EpochLine(epoch: epoch, trainAccuracy: training.accuracy, testAccuracy: test.accuracy,
                                   seconds: training.seconds, dataWaitFraction: training.dataWaitFraction,
                                   solverIterations: training.solverIterations))
        }
        return lines
    }
}
