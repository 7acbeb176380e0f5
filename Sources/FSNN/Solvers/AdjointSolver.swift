import Tensor

/// The IDE adjoint system (spec §4.1): find β with (I − Jᵀ)β = g, i.e. a root of
/// G(β) = Jᵀβ − β + g, for a batch of independent systems. β and g have shape [B, D]; Jᵀ is
/// block-diagonal over samples and available only as a product.
public struct AdjointProblem {
    /// Right-hand side g = ∂L/∂a*, [B, D].
    public let rightHandSide: Tensor
    /// Writes Jᵀv into the second tensor for v in the first (both [B, D]).
    public let applyJacobianTranspose: (Tensor, Tensor) throws -> Void

    public init(rightHandSide: Tensor, applyJacobianTranspose: @escaping (Tensor, Tensor) throws -> Void) {
        self.rightHandSide = rightHandSide
        self.applyJacobianTranspose = applyJacobianTranspose
    }

    var batchSize: Int { rightHandSide.shape[0] }

    /// The stopping tolerance of spec §4.4 on ‖G‖ over the batch, 2e-10·√(B·D), or 0 (never
    /// stop early) when `stopsEarly` is false.
    func tolerance(stopsEarly: Bool) -> Float {
        stopsEarly ? 2e-10 * Float(rightHandSide.count).squareRoot() : 0
    }
    var dimension: Int { rightHandSide.count / max(batchSize, 1) }

    /// residual = G(β) = Jᵀβ − β + g; `product` is a [B, D] scratch tensor.
    func residual(at beta: Tensor, into residual: Tensor) throws {
        try applyJacobianTranspose(beta, residual)
        try residual.add(beta, scaledBy: -1)
        try residual.add(rightHandSide)
    }
}

/// What a solver returns.
public struct AdjointSolution {
    /// β, [B, D].
    public let beta: Tensor
    /// Products with Jᵀ spent (the reference's "iterations": one per update).
    public let iterations: Int
    /// ‖(I − Jᵀ)β − g‖ / ‖g‖ over the whole batch, for the returned β.
    public let relativeResidual: Float
}

/// A solver for `AdjointProblem`s (spec §4.4, §4.5, §4.8).
public protocol AdjointSolver: Sendable {
    func solve(_ problem: AdjointProblem) throws -> AdjointSolution
}

extension AdjointSolver {
    /// The relative residual ‖G(β)‖/‖g‖ of β, using `scratch` ([B, D]) for one product with Jᵀ.
    func relativeResidual(of beta: Tensor, in problem: AdjointProblem, scratch: Tensor) throws -> Float {
        try problem.residual(at: beta, into: scratch)
        return Self.ratio(scratch.norm(), problem.rightHandSide.norm())
    }

    static func ratio(_ residual: Float, _ reference: Float) -> Float {
        reference > 0 ? residual / reference : residual
    }
}

/// Builds the solver a configuration asks for (the N-MNIST "iter" quirk replaces the solver,
/// spec §4.5 and quirk B3).
public func makeAdjointSolver(for configuration: TrainingConfiguration) -> any AdjointSolver {
    let maximum = configuration.solverMaxIterations, stopsEarly = configuration.solverStopsEarly
    if configuration.has(.nmnistIterSolver2I) { return HalvedIterationSolver(iterations: maximum) }
    switch configuration.solver {
    case .broyden:
        return BroydenSolver(maxIterations: maximum, negativeFirstStep: configuration.has(.broydenNegFirstStep),
                             stopsEarly: stopsEarly, allocatesFullMemory: configuration.has(.broydenFullAllocation))
    case .fixedPoint: return FixedPointSolver(maxIterations: maximum, stopsEarly: stopsEarly)
    case .anderson:
        return AndersonSolver(maxIterations: maximum, memory: configuration.andersonMemory, stopsEarly: stopsEarly)
    case .jacobianFree: return JacobianFreeSolver()
    }
}
