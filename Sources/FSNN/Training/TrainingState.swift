import Datasets
import Layers
import Tensor

/// Everything that makes a restored session continue bit for bit as if it had not stopped, as
/// plain values (copies): the harness writes it as a checkpoint file (docs/results-layout.md).
public struct TrainingState: Sendable {
    /// `trainer.network.namedParameters`, PyTorch names and layouts.
    public var weights: [NamedTensor]
    /// `trainer.network.namedBuffers`: BN running statistics and `num_batches_tracked`, spectral `u`, `v`.
    public var buffers: [NamedTensor]
    public var optimizer: OptimizerState
    /// The dropout generator and both batchers' streams, by name: `dropout`, `train_shuffle`,
    /// `train_augmentation`, `test_shuffle`, `test_augmentation`.
    public var randomStreams: [String: RandomGenerator]
    /// The learning-rate schedule's position (its iteration is the warm-up counter).
    public var schedule: LearningRateSchedule.State
    public var completedEpochs: Int
    public var completedIterations: Int

    public init(weights: [NamedTensor], buffers: [NamedTensor], optimizer: OptimizerState,
                randomStreams: [String: RandomGenerator], schedule: LearningRateSchedule.State, completedEpochs: Int,
                completedIterations: Int) {
        self.weights = weights
        self.buffers = buffers
        self.optimizer = optimizer
        self.randomStreams = randomStreams
        self.schedule = schedule
        self.completedEpochs = completedEpochs
        self.completedIterations = completedIterations
    }
}

/// The optimiser's state under PyTorch's state keys: `<name>.momentum_buffer` (SGD),
/// `<name>.exp_avg`, `<name>.exp_avg_sq` and the scalar `<name>.step` (Adam).
public struct OptimizerState: Sendable {
    public var tensors: [NamedTensor]
    public var scalars: [String: Double]

    public init(tensors: [NamedTensor] = [], scalars: [String: Double] = [:]) {
        self.tensors = tensors
        self.scalars = scalars
    }
}

/// A training state that does not fit the session it is restored into, naming the entry as the
/// checkpoint layout does (`/rng/dropout`, `/optimizer/<name>`).
public struct TrainingStateError: Error, Equatable, CustomStringConvertible {
    public let entry: String
    public let reason: String

    public var description: String { "\(entry): \(reason)" }
}

extension TrainingSession {
    static let streamNames = ["dropout", "train_shuffle", "train_augmentation", "test_shuffle", "test_augmentation"]

    /// The session's complete state, copied.
    public var state: TrainingState {
        let network = trainer.network
        return TrainingState(
            weights: network.namedParameters.map { NamedTensor($0.name, $0.parameter.value.copy()) },
            buffers: network.namedBuffers.map { NamedTensor($0.name, $0.tensor.copy()) },
            optimizer: trainer.optimizer.state(of: network.namedParameters),
            randomStreams: [
                "dropout": trainer.dropoutGenerator,
                "train_shuffle": trainBatcher.state.shuffle, "train_augmentation": trainBatcher.state.augmentation,
                "test_shuffle": testBatcher.state.shuffle, "test_augmentation": testBatcher.state.augmentation,
            ],
            schedule: trainer.schedule.state, completedEpochs: completedEpochs, completedIterations: completedIterations)
    }

    /// Overwrites the session's state with `state`; `source` names its origin in errors (a
    /// checkpoint file). Names and shapes must match the network exactly. Under quirk B8
    /// (`resume_resets_lr_schedule`) the schedule is not restored: as the reference builds a new
    /// scheduler on resume, milestones count from the resumed epoch and the warm-up is gone.
    public func restore(_ state: TrainingState, source: String) throws {
        let network = trainer.network
        try NamedTensorCopy.assign(state.weights.map { ($0.name, $0.tensor) },
                                   to: network.namedParameters.map { ($0.name, $0.parameter.value) },
                                   source: "\(source): /weights")
        try NamedTensorCopy.assign(state.buffers.map { ($0.name, $0.tensor) }, to: network.namedBuffers,
                                   source: "\(source): /buffers")
        try trainer.optimizer.restore(state.optimizer)
        func stream(_ name: String) throws -> RandomGenerator {
            guard let generator = state.randomStreams[name] else {
                throw TrainingStateError(entry: "/rng/\(name)", reason: "missing")
            }
            return generator
        }
        trainer.dropoutGenerator = try stream("dropout")
        var train = trainBatcher.state, test = testBatcher.state
        (train.shuffle, train.augmentation) = (try stream("train_shuffle"), try stream("train_augmentation"))
        (test.shuffle, test.augmentation) = (try stream("test_shuffle"), try stream("test_augmentation"))
        trainBatcher.state = train
        testBatcher.state = test
        if configuration.has(.resumeResetsLRSchedule) {
            trainer.schedule = try LearningRateSchedule(
                baseLearningRate: configuration.learningRate,
                milestones: configuration.milestones.map { $0 + state.completedEpochs }, gamma: configuration.gamma,
                warmupIterations: 0)
        } else {
            try trainer.schedule.restore(from: state.schedule)
        }
        setProgress(epochs: state.completedEpochs, iterations: state.completedIterations)
    }
}
