import Tensor

/// IDE (spec §4.10): the simulation, the readout on its rate, f with train-mode BN at the
/// simulated rate, the adjoint solve (I − Jᵀ)β = ∂L/∂a, then β pushed through f to the parameters.
/// Keeps the last batch's simulation and the map's buffers for the next batch of the same shape.
public final class ImplicitDifferentiation: GradientStrategy {
    public let solver: any AdjointSolver
    private var simulation: Simulation?
    private var buffers: MapBuffers?

    public init(solver: any AdjointSolver) {
        self.solver = solver
    }

    public func computeGradients(_ network: FeedbackNetwork, batch: NetworkInput, labels: [Int],
                                 update: (() throws -> Void)?) throws -> GradientPass {
        var timing = StepTiming(), clock = LapTimer()
        let simulation = try network.simulate(batch, phase: .training, into: &self.simulation)
        timing.simulate = clock.lap()
        let readout = try Readout(network: network, rate: simulation.outputRate, labels: labels, computeGradient: true)
        let map = network.equilibriumMap
        let buffers = self.buffers.fitted(batchSize: batch.batchSize) { MapBuffers(network: network, batchSize: batch.batchSize) }
        let point = try map.linearize(simulation, buffers: buffers)
        timing.parameterGradient += clock.lap()
        let problem = AdjointProblem(rightHandSide: readout.rateGradient!) { v, out in
            try network.checkInterruption("the adjoint solve")
            try map.jacobianTransposeProduct(v, at: point, into: out)
        }
        let solution = try solver.solve(problem)
        timing.solve += clock.lap()
        try map.accumulateParameterGradients(solution.beta, at: point)
        timing.parameterGradient += clock.lap()
        var pass = GradientPass(readout: readout, simulation: simulation, timing: timing)
        pass.solver = SolverStatistics(iterations: solution.iterations, relativeResidual: solution.relativeResidual)
        pass.linearization = point
        return pass
    }
}
