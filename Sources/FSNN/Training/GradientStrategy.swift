import Tensor

/// How a training step turns a batch into parameter gradients: the only difference between an
/// IDE run and an STBP run (issue: "one Trainer, two gradient strategies").
public protocol GradientStrategy {
    /// The training simulation (with what the backward needs of it).
    func simulate(_ network: FeedbackNetwork, _ batch: NetworkInput) throws -> Simulation
    /// Accumulates ∂L/∂θ of the spiking part given the training `simulation` of `batch`, its output
    /// rate a[T] flattened to [B, D] and ∂L/∂a[T] ([B, D]).
    func backward(_ network: FeedbackNetwork, _ batch: NetworkInput, simulation: Simulation, rate: Tensor,
                  rateGradient: Tensor, timing: inout StepTiming) throws -> BackwardResult
}

/// What a strategy's backward leaves besides the gradients.
public struct BackwardResult {
    /// The adjoint solve's statistics (IDE); nil for STBP.
    public var solver: SolverStatistics?
    /// The equilibrium map's linearisation the gradients were taken at (IDE; valid until the
    /// network's next simulation); nil for STBP.
    public var linearization: EquilibriumMap.Linearization?
}

extension TrainingConfiguration {
    /// The gradient strategy this configuration asks for.
    public func makeGradientStrategy() -> any GradientStrategy {
        switch method {
        case .ide: return ImplicitDifferentiation(solver: makeAdjointSolver(for: self))
        case .stbp:
            return BackpropagationThroughTime(surrogate: SpikeSurrogate(kind: surrogate, parameter: surrogateParameter,
                                                                         detachReset: detachReset))
        }
    }
}
