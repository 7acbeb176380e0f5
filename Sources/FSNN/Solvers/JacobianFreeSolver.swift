import Tensor

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
