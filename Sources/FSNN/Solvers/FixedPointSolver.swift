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
