/// The learning rate over training (spec §7): multi-step decay by epoch combined with an optional
/// linear warm-up by iteration,
///
///     lr(e, i) = base · γ^|{m ∈ milestones : m ≤ e}| · min(1, (i + 1)/W),
///
/// where e is the 0-based epoch and i the 0-based iteration counted from the start of training
/// (across epochs); W = 0 means no warm-up. A milestone m therefore takes effect at the start of
/// 0-based epoch m, i.e. after m epochs, as `torch.optim.lr_scheduler.MultiStepLR` stepped once
/// per epoch.
///
/// The schedule also tracks where training is (`state`: epoch in progress, iterations done), so
/// a checkpoint can save and restore it; `learningRate` is the rate for the next iteration.
/// Quirk B8 (resume resets the schedule) is the trainer's choice of what state to restore.
public struct LearningRateSchedule: Equatable, Sendable {
    /// Position in training.
    public struct State: Codable, Equatable, Sendable {
        /// The epoch in progress, 0-based.
        public var epoch: Int
        /// Iterations completed since the start of training.
        public var iteration: Int

        public init(epoch: Int = 0, iteration: Int = 0) {
            self.epoch = epoch
            self.iteration = iteration
        }
    }

    public let baseLearningRate: Float
    /// Epochs at whose start the rate is multiplied by `gamma`, ascending.
    public let milestones: [Int]
    public let gamma: Float
    /// W, the warm-up length in iterations (0: none).
    public let warmupIterations: Int
    public private(set) var state = State()

    public init(baseLearningRate: Float, milestones: [Int] = [], gamma: Float = 0.1, warmupIterations: Int = 0) throws(OptimizerError) {
        try OptimizerError.check(baseLearningRate >= 0, "learning rate", baseLearningRate, "≥ 0")
        try OptimizerError.check(gamma > 0, "gamma", gamma, "> 0")
        guard warmupIterations >= 0 else {
            throw .invalidHyperparameter(name: "warm-up iterations", value: Double(warmupIterations), expected: "≥ 0")
        }
        for (previous, milestone) in zip([-1] + milestones, milestones) where milestone <= previous {
            throw .invalidHyperparameter(name: "milestone", value: Double(milestone), expected: "≥ 0 and above the previous milestone")
        }
        self.baseLearningRate = baseLearningRate
        self.milestones = milestones
        self.gamma = gamma
        self.warmupIterations = warmupIterations
    }

    /// lr(epoch, iteration) as above.
    public func learningRate(epoch: Int, iteration: Int) -> Float {
        var rate = baseLearningRate
        for milestone in milestones where milestone <= epoch { rate *= gamma }
        if iteration < warmupIterations { rate *= Float(iteration + 1) / Float(warmupIterations) }
        return rate
    }

    /// The rate for the next iteration, lr(state.epoch, state.iteration).
    public var learningRate: Float { learningRate(epoch: state.epoch, iteration: state.iteration) }

    /// Marks the start of 0-based epoch `epoch`.
    public mutating func startEpoch(_ epoch: Int) {
        precondition(epoch >= 0, "negative epoch \(epoch)")
        state.epoch = epoch
    }

    /// Marks one iteration (optimiser step) as done.
    public mutating func completeIteration() {
        state.iteration += 1
    }

    /// Continues from a saved position.
    public mutating func restore(from state: State) throws(OptimizerError) {
        guard state.epoch >= 0 else { throw .invalidState(field: "epoch", value: state.epoch) }
        guard state.iteration >= 0 else { throw .invalidState(field: "iteration", value: state.iteration) }
        self.state = state
    }
}
