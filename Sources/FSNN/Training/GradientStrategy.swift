import Tensor

/// How a training step turns a batch into parameter gradients: the only difference between an
/// IDE run and an STBP run (issue: "one Trainer, two gradient strategies").
public protocol GradientStrategy {
    /// The training simulation (with what the backward needs of it).
    func simulate(_ network: FeedbackNetwork, _ batch: NetworkInput) throws -> Simulation
    /// Accumulates ∂L/∂θ of the spiking part given the training `simulation` of `batch`, its output
    /// rate a[T] flattened to [B, D] and ∂L/∂a[T] ([B, D]); returns solver statistics when a
    /// solver ran.
    func backward(_ network: FeedbackNetwork, _ batch: NetworkInput, simulation: Simulation, rate: Tensor,
                  rateGradient: Tensor, timing: inout StepTiming) throws -> SolverStatistics?
}

/// Iterations and residual of one adjoint solve.
public struct SolverStatistics: Sendable {
    public var iterations: Int
    public var relativeResidual: Float
}

/// IDE (spec §4.10): f with train-mode BN at the simulated rate, the adjoint solve
/// (I − Jᵀ)β = ∂L/∂a, then β pushed through f to the parameters.
public struct ImplicitDifferentiation: GradientStrategy {
    public let solver: any AdjointSolver

    public init(solver: any AdjointSolver) {
        self.solver = solver
    }

    public func simulate(_ network: FeedbackNetwork, _ batch: NetworkInput) throws -> Simulation {
        try network.simulate(batch, phase: .training, traceResidual: false)
    }

    public func backward(_ network: FeedbackNetwork, _ batch: NetworkInput, simulation: Simulation, rate: Tensor,
                         rateGradient: Tensor, timing: inout StepTiming) throws -> SolverStatistics? {
        var clock = LapTimer()
        let map = network.equilibriumMap
        let point = try map.linearize(at: rate, input: batch)
        timing.parameterGradient += clock.lap()
        let problem = AdjointProblem(rightHandSide: rateGradient) { v, out in
            try map.jacobianTransposeProduct(v, at: point, into: out)
        }
        let solution = try solver.solve(problem)
        timing.solve += clock.lap()
        try map.accumulateParameterGradients(solution.beta, at: point)
        timing.parameterGradient += clock.lap()
        return SolverStatistics(iterations: solution.iterations, relativeResidual: solution.relativeResidual)
    }
}

/// STBP (spec §10): BPTT through the stored T steps with a surrogate spike derivative.
public struct BackpropagationThroughTime: GradientStrategy {
    public let surrogate: SpikeSurrogate

    public init(surrogate: SpikeSurrogate) {
        self.surrogate = surrogate
    }

    public func simulate(_ network: FeedbackNetwork, _ batch: NetworkInput) throws -> Simulation {
        try network.simulateRecordingHistory(batch, surrogate: surrogate)
    }

    public func backward(_ network: FeedbackNetwork, _ batch: NetworkInput, simulation: Simulation, rate: Tensor,
                         rateGradient: Tensor, timing: inout StepTiming) throws -> SolverStatistics? {
        guard let history = simulation.history else {
            throw NetworkError.backwardWithoutForward("backwardThroughTime without a recorded simulation")
        }
        var clock = LapTimer()
        try network.backwardThroughTime(history, rateGradient: rateGradient)
        timing.parameterGradient += clock.lap()
        return nil
    }
}

/// Wall-clock split of a training step, in seconds.
public struct StepTiming: Sendable {
    public var simulate: Double = 0
    public var solve: Double = 0
    public var parameterGradient: Double = 0
    public var total: Double = 0

    public init() {}
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
