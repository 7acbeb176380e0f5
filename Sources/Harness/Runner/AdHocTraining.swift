import Datasets
import FSNN
import Tensor

/// `fsnn train`: one configuration trained and evaluated by the session's epoch loop, progress
/// on standard error, nothing written to disk (the experiment runner is the tool for recorded
/// results). The progress lines are what the command exists to print: one that cannot be
/// written ends the training with `ConsoleError`.
public enum AdHocTraining {
    /// Per-epoch accuracies and wall time, in order.
    public struct EpochLine: Sendable {
        public let epoch: Int
        public let trainAccuracy: Double
        public let testAccuracy: Double
        public let seconds: Double
        public let dataWaitFraction: Double
        public let solverIterations: Double
    }

    /// Trains `settings` (resolved by `CommandLineSettings`) on its dataset under `root`.
    public static func run(_ settings: ResolvedSettings, root: DataRoot) throws -> [EpochLine] {
        let configuration = settings.training
        let session = try TrainingSession(configuration: configuration, dataset: settings.run.dataset,
                                          augmentation: settings.run.augmentation, root: root,
                                          seed: UInt64(settings.run.seeds[0]), limits: settings.run.dataLimits)
        let printer = Printer(session: session,
                              progress: ProgressReporter(label: "[\(configuration.model.rawValue) \(configuration.method.rawValue)]"))
        try printer.progress.note("\(ComputeThreads.description); \(session.trainer.network.parameterCount) parameters")
        try session.train(observer: printer)
        return printer.lines
    }

    private final class Printer: TrainingObserver {
        let session: TrainingSession
        let progress: ProgressReporter
        var lines: [EpochLine] = []

        init(session: TrainingSession, progress: ProgressReporter) {
            self.session = session
            self.progress = progress
        }

        func batchFinished(_ index: Int, epoch: Int, report: TrainingStepReport) throws {
            try progress.batch(index, of: session.trainBatchesPerEpoch, epoch: epoch, of: session.configuration.epochs,
                               report: report)
        }

        func epochFinished(_ result: EpochResult) throws {
            let training = result.training
            try progress.epoch(result.epoch, of: session.configuration.epochs, training: training, test: result.test,
                               seconds: result.seconds)
            lines.append(EpochLine(epoch: result.epoch, trainAccuracy: training.accuracy, testAccuracy: result.test.accuracy,
                                   seconds: training.seconds, dataWaitFraction: training.dataWaitFraction,
                                   solverIterations: training.solverIterations))
        }
    }
}
