import Datasets
import Tensor

/// One training run in memory: the network and its trainer, the batchers of both splits, and
/// the one epoch loop that every tool shares (`fsnn run`, `train`, `bench train`, `inspect`):
/// train an epoch (the schedule, per-batch steps), evaluate on the test split, report.
///
/// The data must have been read with `configuration.datasetOptions(augmentation:)` (N-MNIST
/// frames follow T); `init` refuses a dataset whose samples the model cannot take.
public final class TrainingSession {
    public let configuration: TrainingConfiguration
    public let dataset: Dataset
    public let limits: DataLimits
    public let trainer: Trainer
    public let trainBatcher: Batcher
    public let testBatcher: Batcher
    /// Epochs and training iterations completed (restored with the training state).
    public private(set) var completedEpochs = 0
    public private(set) var completedIterations = 0
    /// The divergence watch of the last trained epoch (its losses name the history when the
    /// evaluation after it finds a diverged weight).
    private var lastEpochWatch: DivergenceWatch

    public init(configuration: TrainingConfiguration, dataset: Dataset, seed: UInt64, limits: DataLimits = .init()) throws {
        let expected = (ModelZoo.takesSpikes(configuration.model) ? [configuration.timeSteps] : [])
            + ModelZoo.inputShape(of: configuration.model)
        guard dataset.train.sampleShape == expected, dataset.test.sampleShape == expected else {
            throw TrainingSessionError.sampleShape(dataset: dataset.name, shape: dataset.train.sampleShape,
                                                   model: configuration.model, expected: expected)
        }
        let streams = RunStreams(seed: seed)
        var modelStream = streams.model
        let network = try ModelZoo.make(configuration, generator: &modelStream)
        self.configuration = configuration
        lastEpochWatch = DivergenceWatch(configuration: configuration, batchesPerEpoch: 1)
        self.dataset = dataset
        self.limits = limits
        trainer = try Trainer(configuration: configuration, network: network, dropoutGenerator: streams.dropout)
        trainBatcher = try Batcher(split: dataset.train, batchSize: configuration.batchSize, generator: streams.trainData,
                                   shuffles: true, subset: limits.trainSubset)
        testBatcher = try Batcher(split: dataset.test, batchSize: configuration.testBatchSize,
                                  generator: streams.testData, shuffles: false, subset: limits.testSubset)
    }

    /// A session on `dataset` read from `root` as the configuration needs it.
    public convenience init(configuration: TrainingConfiguration, dataset name: DatasetName, augmentation: Bool,
                            root: DataRoot, seed: UInt64, limits: DataLimits = .init()) throws {
        let dataset = try DatasetCatalog.load(name, from: root,
                                              options: configuration.datasetOptions(augmentation: augmentation))
        try self.init(configuration: configuration, dataset: dataset, seed: seed, limits: limits)
    }

    /// The network input for a batch: spike frames for N-MNIST models, images otherwise.
    public func networkInput(_ batch: Batch) -> NetworkInput {
        networkInput(batch.inputs)
    }

    /// Samples [B] + sample shape as the network takes them.
    public func networkInput(_ inputs: Tensor) -> NetworkInput {
        ModelZoo.takesSpikes(configuration.model) ? .spikes(inputs) : .image(inputs)
    }

    /// Training batches in the current epoch (after the cap).
    public var trainBatchesPerEpoch: Int { min(trainBatcher.batchesPerEpoch, limits.trainBatches ?? .max) }

    /// Trains from the epoch after the completed ones to `configuration.epochs`: for each epoch
    /// `trainEpoch`, then `evaluate`, then `observer.epochFinished`. The observer sees every
    /// batch too and may stop training by throwing (an interrupt); the error is rethrown.
    public func train(observer: some TrainingObserver) throws {
        while completedEpochs < configuration.epochs {
            let epoch = completedEpochs
            var learningRate = trainer.schedule.learningRate
            let training = try trainEpoch(epoch) { index, report in
                learningRate = report.learningRate
                try observer.batchFinished(index, epoch: epoch, report: report)
            }
            var clock = LapTimer()
            let test: EvaluationSummary
            do {
                test = try evaluate()
            } catch {
                // The epoch's last step may leave weights whose norm only evaluation computes.
                throw divergence(of: error, epoch: epoch, batch: training.batches - 1,
                                 stepsBefore: completedIterations + training.batches, watch: lastEpochWatch) ?? error
            }
            let evaluationSeconds = clock.lap()
            completedEpochs += 1
            completedIterations += training.batches
            try observer.epochFinished(EpochResult(epoch: epoch, training: training, test: test, learningRate: learningRate,
                                                   seconds: training.seconds + evaluationSeconds))
        }
    }

    /// One epoch of training (0-based `epoch`); `onBatch` sees every step's report and may stop
    /// the epoch by throwing, which `trainEpoch` rethrows.
    public func trainEpoch(_ epoch: Int, onBatch: (Int, TrainingStepReport) throws -> Void = { _, _ in }) throws
        -> TrainingEpochSummary {
        trainer.schedule.startEpoch(epoch)
        var summary = TrainingEpochSummary(learningRate: trainer.schedule.learningRate, layers: trainer.network.layerSizes.count)
        var timer = LapTimer()
        var watch = DivergenceWatch(configuration: configuration, batchesPerEpoch: trainBatchesPerEpoch)
        let epochBatches = trainBatcher.nextEpoch()
        for (index, batch) in epochBatches.enumerated() {
            if index == trainBatchesPerEpoch { break }
            let report: TrainingStepReport
            do {
                report = try trainer.trainStep(networkInput(batch), labels: batch.labels)
            } catch {
                throw divergence(of: error, epoch: epoch, batch: index, stepsBefore: completedIterations + index,
                                 watch: watch) ?? error
            }
            summary.add(report)
            if watch.observe(report.loss, gradientNorm: report.gradientNorm) {
                throw DivergedRun(epoch: epoch, batch: index, reason: watch.lossReason, losses: watch.losses)
            }
            try onBatch(index, report)
        }
        summary.seconds = timer.lap()
        summary.dataWaitSeconds = epochBatches.waitSeconds
        self.lastEpochWatch = watch
        return summary
    }

    /// Evaluation on the test split (spec §4.3): loss, accuracy, per-layer firing rates and
    /// synaptic operations, and optionally the mean residual trace over the test batches.
    public func evaluate(traceResidual: Bool = false) throws -> EvaluationSummary {
        let network = trainer.network
        var summary = EvaluationSummary(layerSizes: network.layerSizes, synapsesPerSpike: network.synapsesPerSpike,
                                        timeSteps: configuration.timeSteps)
        for (index, batch) in testBatcher.nextEpoch().enumerated() {
            if let cap = limits.testBatches, index == cap { break }
            summary.add(try trainer.evaluate(networkInput(batch), labels: batch.labels, traceResidual: traceResidual))
        }
        return summary
    }

    /// Sets the completed epochs and iterations (a restored state).
    func setProgress(epochs: Int, iterations: Int) {
        (completedEpochs, completedIterations) = (epochs, iterations)
    }
}

/// What the epoch loop tells the tool that runs it: the runner records and checkpoints,
/// `fsnn train` prints.
public protocol TrainingObserver {
    /// After training batch `index` (0-based) of 0-based `epoch`; throwing stops training.
    func batchFinished(_ index: Int, epoch: Int, report: TrainingStepReport) throws
    /// After an epoch and its evaluation; the session's completed counts already include it.
    func epochFinished(_ result: EpochResult) throws
}

/// One finished epoch: its training and test metrics.
public struct EpochResult: Sendable {
    /// 0-based.
    public let epoch: Int
    public let training: TrainingEpochSummary
    public let test: EvaluationSummary
    /// The learning rate of the epoch's last iteration.
    public let learningRate: Float
    /// Wall-clock seconds of training and evaluation.
    public let seconds: Double
}

/// A run stopped by a non-finite loss or gradient (the result store records it as failed).
/// A run stopped by divergence (`DivergenceWatch`): a non-finite loss, gradient or weight, a
/// loss far above guessing for several batches, or a degenerate spectral norm after the
/// optimiser's steps (the result store records it as failed).
public struct DivergedRun: Error, CustomStringConvertible {
    /// 0-based epoch and batch at which the run stopped.
    public let epoch: Int
    public let batch: Int
    /// What diverged, followed by the epoch's loss history.
    public let reason: String
    /// The training losses of the epoch's batches before the stop, in order.
    public let losses: [Float]
    public var description: String { "diverged at epoch \(epoch + 1), batch \(batch + 1): \(reason)" }
}

/// A session that cannot be built on the data given.
public enum TrainingSessionError: Error, Equatable, CustomStringConvertible {
    case sampleShape(dataset: DatasetName, shape: [Int], model: ModelName, expected: [Int])

    public var description: String {
        switch self {
        case let .sampleShape(dataset, shape, model, expected):
            return "\(dataset.rawValue) samples have shape \(shape), but \(model.rawValue) takes \(expected) "
                + "(read the dataset with the configuration's data options)"
        }
    }
}

extension TrainingConfiguration {
    /// How the datasets must be read for this configuration: N-MNIST frames for its T with the
    /// reference binning (spec §8.4), CIFAR training images augmented or not.
    public func datasetOptions(augmentation: Bool) -> DatasetOptions {
        DatasetOptions(nmnistEncoding: .tsslbp(timeSteps: timeSteps, fillLastFrame: false), augmentsTraining: augmentation)
    }
}
