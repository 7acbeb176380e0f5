/// Iterations and residual of one adjoint solve.
public struct SolverStatistics: Sendable {
    public var iterations: Int
    public var relativeResidual: Float
}
