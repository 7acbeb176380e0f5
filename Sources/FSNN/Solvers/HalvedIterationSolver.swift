import Tensor

/// Quirk B3 (`nmnist_iter_solver_2I`), the reference's N-MNIST "iter" solver: β ← (β + G(β))/2
/// `iterations` times from β = g. Its fixed point solves (2I − Jᵀ)β = g, not the IDE system
/// (spec §4.5, §12.6); the reported residual is the true IDE residual of the result.
public struct HalvedIterationSolver: AdjointSolver {
    public let iterations: Int

    public init(iterations: Int = 30) {
        self.iterations = iterations
    }

    public func solve(_ problem: AdjointProblem) throws -> AdjointSolution {
        let g = problem.rightHandSide
        let beta = g.copy(), residual = Tensor(zeros: g.shape)
        for _ in 0..<iterations {
            try problem.residual(at: beta, into: residual)
            try beta.add(residual)
            beta.scale(by: 0.5)
        }
        return AdjointSolution(beta: beta, iterations: iterations,
                               relativeResidual: try relativeResidual(of: beta, in: problem, scratch: residual))
    }
}
