import Tensor

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
                         rateGradient: Tensor, timing: inout StepTiming) throws -> BackwardResult {
        var clock = LapTimer()
        let map = network.equilibriumMap
        let point = try map.linearize(at: rate, input: batch)
        timing.parameterGradient += clock.lap()
        let problem = AdjointProblem(rightHandSide: rateGradient) { v, out in
            try network.checkInterruption("the adjoint solve")
            try map.jacobianTransposeProduct(v, at: point, into: out)
        }
        let solution = try solver.solve(problem)
        timing.solve += clock.lap()
        try map.accumulateParameterGradients(solution.beta, at: point)
        timing.parameterGradient += clock.lap()
        return BackwardResult(solver: SolverStatistics(iterations: solution.iterations,
                                                       relativeResidual: solution.relativeResidual),
                              linearization: point)
    }
}
