import Tensor

/// The plain fixed-point iteration β ← Jᵀβ + g = β + G(β), started from β = g (spec §4.5, the
/// corrected form). It converges when the spectral radius of Jᵀ is below 1. Stops on the same
/// rule as Broyden (‖G‖ < 2e-10·√(B·D) over the batch) or after `maxIterations` products and
/// returns the lowest-residual iterate.
public struct FixedPointSolver: AdjointSolver {
    public let maxIterations: Int
    /// The stopping rule; false always runs `maxIterations`.
    public let stopsEarly: Bool

    public init(maxIterations: Int = 30, stopsEarly: Bool = true) {
        self.maxIterations = maxIterations
        self.stopsEarly = stopsEarly
    }

    public func solve(_ problem: AdjointProblem) throws -> AdjointSolution {
        let g = problem.rightHandSide
        let tolerance = problem.tolerance(stopsEarly: stopsEarly)
        let beta = g.copy(), residual = Tensor(zeros: g.shape), best = g.copy()
        let reference = g.norm()
        var bestNorm = Float.infinity
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            try problem.residual(at: beta, into: residual)
            let norm = residual.norm()
            if norm < bestNorm {
                bestNorm = norm
                try best.assign(beta)
            }
            if norm < tolerance { break }
            try beta.add(residual)
        }
        if iterations == 0 { bestNorm = try relativeResidual(of: best, in: problem, scratch: residual) * reference }
        return AdjointSolution(beta: best, iterations: iterations, relativeResidual: Self.ratio(bestNorm, reference))
    }
}

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

/// The Jacobian-free ("one-step") gradient of spec §4.8: β = ∂L/∂a (J taken as 0). No product
/// is spent on the solution; one is spent to report how far β is from the IDE solution.
public struct JacobianFreeSolver: AdjointSolver {
    public init() {}

    public func solve(_ problem: AdjointProblem) throws -> AdjointSolution {
        let beta = problem.rightHandSide.copy()
        let residual = try relativeResidual(of: beta, in: problem, scratch: Tensor(zeros: beta.shape))
        return AdjointSolution(beta: beta, iterations: 0, relativeResidual: residual)
    }
}
