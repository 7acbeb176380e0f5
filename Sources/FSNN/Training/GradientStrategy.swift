import Tensor

/// How a training step turns a batch into parameter gradients: the one thing that differs between
/// the gradient methods (IDE, STBP, OTTT). A method owns what it keeps of a batch between its
/// phases — the simulation, the buffers of its backward — each sized once per batch shape.
public protocol GradientStrategy: AnyObject {
    /// Simulates `batch` for training, reads it out and leaves ∂L/∂θ of its loss in every
    /// parameter's gradient (the caller has zeroed the gradients and prepared the per-batch state).
    /// A method that updates the parameters within the batch (OTTT_O) calls `update` after each
    /// partial gradient — it takes an optimiser step and zeroes the gradients — and counts the
    /// calls in the pass's `updates`; without `update` it accumulates over the whole batch. The
    /// other methods never call it: the caller takes one step after the batch.
    func computeGradients(_ network: FeedbackNetwork, batch: NetworkInput, labels: [Int],
                          update: (() throws -> Void)?) throws -> GradientPass
}

/// One batch's forward and backward pass, before the optimiser's step after the batch.
public struct GradientPass {
    public var loss: Float
    public var correct: Int
    /// Classifier outputs on the output rate, [B, classes].
    public var logits: Tensor
    /// The output rate a[T] flattened to [B, D] (the simulation's: its method's next batch
    /// overwrites it).
    public var rate: Tensor
    public var simulation: Simulation
    /// Adjoint-solver statistics (IDE); nil for the other methods.
    public var solver: SolverStatistics?
    /// The equilibrium map's linearisation the IDE gradients were taken at (its method's buffers:
    /// the next batch overwrites it); nil for the other methods.
    public var linearization: EquilibriumMap.Linearization?
    /// Optimiser steps the method took within the batch through `update` (OTTT_O); 0 otherwise.
    public var updates = 0
    public var timing: StepTiming

    init(readout: Readout, simulation: Simulation, timing: StepTiming) {
        loss = readout.loss
        correct = readout.correct
        logits = readout.logits
        rate = readout.rate
        self.simulation = simulation
        self.timing = timing
    }
}

extension TrainingConfiguration {
    /// The gradient strategy this configuration asks for.
    public func makeGradientStrategy() -> any GradientStrategy {
        switch method {
        case .ide: return ImplicitDifferentiation(solver: makeAdjointSolver(for: self))
        case .stbp: return BackpropagationThroughTime(surrogate: spikeSurrogate)
        case .ottt: return OnlineTrainingThroughTime(surrogate: spikeSurrogate, updatesEveryStep: onlineUpdate ?? false)
        }
    }

    /// The surrogate spike derivative of the methods that differentiate through the steps (spec §10).
    var spikeSurrogate: SpikeSurrogate {
        SpikeSurrogate(kind: surrogate, parameter: surrogateParameter, detachReset: detachReset)
    }
}
