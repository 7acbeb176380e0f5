import Datasets
import FSNN
import Tensor

/// Which samples a run uses: subsets and batch caps for the quick and smoke profiles.
public struct DataLimits: Codable, Equatable, Sendable {
    public var trainSubset: SubsetRule = .all
    public var testSubset: SubsetRule = .all
    /// Stop an epoch after this many training batches.
    public var trainBatches: Int?
    /// Evaluate on at most this many test batches.
    public var testBatches: Int?

    public init(trainSubset: SubsetRule = .all, testSubset: SubsetRule = .all, trainBatches: Int? = nil,
                testBatches: Int? = nil) {
        self.trainSubset = trainSubset
        self.testSubset = testSubset
        self.trainBatches = trainBatches
        self.testBatches = testBatches
    }
}

/// The random streams of a run, all split from its seed in a fixed order, so a run is
/// reproducible from the seed alone.
public struct RunStreams: Codable, Equatable, Sendable {
    public var model: RandomGenerator
    public var dropout: RandomGenerator
    public var trainData: RandomGenerator
    public var testData: RandomGenerator

    public init(seed: UInt64) {
        var root = RandomGenerator(seed: seed)
        model = root.split()
        dropout = root.split()
        trainData = root.split()
        testData = root.split()
    }
}

/// One training run in memory: the network and its trainer, the batchers of both splits, and
/// the per-epoch loop that both gradient strategies share.
public final class TrainingSession {
    public let configuration: TrainingConfiguration
    public let dataset: Dataset
    public let limits: DataLimits
    public let trainer: Trainer
    public let trainBatcher: Batcher
    public let testBatcher: Batcher

    public init(configuration: TrainingConfiguration, dataset: Dataset, seed: UInt64, limits: DataLimits = .init()) throws {
        let streams = RunStreams(seed: seed)
        var modelStream = streams.model
        let network = try ModelZoo.make(configuration, generator: &modelStream)
        self.configuration = configuration
        self.dataset = dataset
        self.limits = limits
        trainer = try Trainer(configuration: configuration, network: network, dropoutGenerator: streams.dropout)
        trainBatcher = try Batcher(split: dataset.train, batchSize: configuration.batchSize, generator: streams.trainData,
                                   shuffles: true, subset: limits.trainSubset)
        testBatcher = try Batcher(split: dataset.test, batchSize: configuration.testBatchSize,
                                  generator: streams.testData, shuffles: false, subset: limits.testSubset)
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

    /// One epoch of training (0-based `epoch`); `onBatch` sees every step's report and may stop
    /// the epoch by throwing (the runner's interrupt check), which `trainEpoch` rethrows.
    public func trainEpoch(_ epoch: Int, onBatch: (Int, TrainingStepReport) throws -> Void = { _, _ in }) throws
        -> TrainingEpochSummary {
        trainer.schedule.startEpoch(epoch)
        var summary = TrainingEpochSummary(learningRate: trainer.schedule.learningRate, layers: trainer.network.layerSizes.count)
        var timer = LapTimer()
        let epochBatches = trainBatcher.nextEpoch()
        for (index, batch) in epochBatches.enumerated() {
            if index == trainBatchesPerEpoch { break }
            let report: TrainingStepReport
            do {
                report = try trainer.trainStep(networkInput(batch), labels: batch.labels)
            } catch let error as NonFiniteError {
                throw DivergedRun(epoch: epoch, batch: index, reason: error.description)
            }
            summary.add(report)
            try onBatch(index, report)
        }
        summary.seconds = timer.lap()
        summary.dataWaitSeconds = epochBatches.waitSeconds
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
}

/// A run stopped by a non-finite loss or gradient (the result store records it as failed).
public struct DivergedRun: Error, CustomStringConvertible {
    public let epoch: Int
    public let batch: Int
    public let reason: String
    public var description: String { "diverged at epoch \(epoch + 1), batch \(batch + 1): \(reason)" }
}
