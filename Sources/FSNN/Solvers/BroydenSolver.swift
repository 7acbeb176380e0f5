import Tensor

/// Broyden's method on G(β) = Jᵀβ − β + g exactly as spec §4.4 (the reference's DEQ solver):
/// an inverse-Jacobian estimate H = −I + Σᵢ uᵢvᵢᵀ per sample, low-rank memory of
/// min(maxIterations, 27) pairs overwritten cyclically, no line search, stopping when the global
/// residual ‖G‖ over the batch falls below 2e-10·√(B·D), a protective break when ‖G‖ exceeds
/// 10⁶ × its initial value, and the lowest-residual iterate returned.
///
/// Dot products run per sample over D; norms over the whole batch. The memory holds
/// 2 × B × m × D floats (spec §4.9).
public struct BroydenSolver: AdjointSolver {
    public let maxIterations: Int
    /// Quirk B7: the first step is −G(0) (the reference) instead of the Newton step +G(0).
    public let negativeFirstStep: Bool

    /// The §4.4 stopping rule; false always runs `maxIterations` (benchmarks).
    public let stopsEarly: Bool

    public init(maxIterations: Int = 30, negativeFirstStep: Bool = false, stopsEarly: Bool = true) {
        self.maxIterations = maxIterations
        self.negativeFirstStep = negativeFirstStep
        self.stopsEarly = stopsEarly
    }

    public func solve(_ problem: AdjointProblem) throws -> AdjointSolution {
        let g = problem.rightHandSide
        let batch = problem.batchSize, d = problem.dimension, shape = g.shape
        let memory = max(1, min(maxIterations, 27))
        let tolerance = problem.tolerance(stopsEarly: stopsEarly)

        let x = Tensor(zeros: shape), gx = g.copy(), step = g.copy()
        let gNew = Tensor(zeros: shape), dg = Tensor(zeros: shape)
        let best = Tensor(zeros: shape)
        if negativeFirstStep { step.scale(by: -1) }
        let initialNorm = gx.norm()
        var bestNorm = initialNorm
        // Per sample b: rows U[b, i, :] = uᵢ and V[b, i, :] = vᵢ (vᵢ stored as the row vector vᵢᵀ).
        let u = Tensor(zeros: [batch, memory, d]), v = Tensor(zeros: [batch, memory, d])
        let coefficients = Tensor(zeros: [memory])
        let newU = Tensor(zeros: [d]), newV = Tensor(zeros: [d])

        var iterations = 0
        var stored = 0
        while iterations < maxIterations, bestNorm >= tolerance {
            iterations += 1
            // xₙ = x + step; dx = step; dg = G(xₙ) − G(x)
            try x.add(step)
            try problem.residual(at: x, into: gNew)
            try dg.assign(gNew)
            try dg.add(gx, scaledBy: -1)
            try gx.assign(gNew)
            let norm = gx.norm()
            if norm < bestNorm {
                bestNorm = norm
                try best.assign(x)
            }
            if norm < tolerance || norm > 1e6 * initialNorm || iterations == maxIterations { break }

            let slot = (iterations - 1) % memory
            for b in 0..<batch {
                let offset = b * d
                let ub = u.pointer + b * memory * d, vb = v.pointer + b * memory * d
                secantPair(dx: step.pointer + offset, dg: dg.pointer + offset, u: ub, v: vb, rows: stored,
                           dimension: d, newU: newU.pointer, newV: newV.pointer, scratch: coefficients.pointer)
                (ub + slot * d).update(from: newU.pointer, count: d)
                (vb + slot * d).update(from: newV.pointer, count: d)
                // step = −H·gx = gx − Σᵢ uᵢ (vᵢ·gx)
                let rows = min(stored + 1, memory), gxb = gx.pointer + offset, stepb = step.pointer + offset
                BLAS.gemv(m: rows, n: d, a: vb, lda: d, x: gxb, y: coefficients.pointer)
                stepb.update(from: gxb, count: d)
                BLAS.gemv(transposeA: true, m: rows, n: d, alpha: -1, a: ub, lda: d, x: coefficients.pointer,
                          beta: 1, y: stepb)
            }
            stored = min(stored + 1, memory)
        }
        return AdjointSolution(beta: best, iterations: iterations,
                               relativeResidual: Self.ratio(bestNorm, initialNorm))
    }

    /// The secant pair of one sample from the `rows` pairs stored so far (in the cyclic regime all
    /// of them, including the one about to be overwritten, as the reference does):
    ///   vᵀ = −dx + Σᵢ (dx·uᵢ) vᵢ          (= dxᵀH)
    ///   H·dg = −dg + Σᵢ uᵢ (vᵢ·dg)
    ///   u = (dx − H·dg) / (vᵀ·dg)
    /// with NaNs in u and vᵀ replaced by 0 as the reference does (and infinities too, which the
    /// reference keeps; they only arise when vᵀ·dg is exactly 0 and would poison every later step).
    private func secantPair(dx: UnsafePointer<Float>, dg: UnsafePointer<Float>, u: UnsafePointer<Float>,
                            v: UnsafePointer<Float>, rows: Int, dimension d: Int,
                            newU: UnsafeMutablePointer<Float>, newV: UnsafeMutablePointer<Float>,
                            scratch c: UnsafeMutablePointer<Float>) {
        for i in 0..<d { newV[i] = -dx[i] }
        for i in 0..<d { newU[i] = dx[i] + dg[i] }
        if rows > 0 {
            BLAS.gemv(m: rows, n: d, a: u, lda: d, x: dx, y: c)
            BLAS.gemv(transposeA: true, m: rows, n: d, a: v, lda: d, x: c, beta: 1, y: newV)
            BLAS.gemv(m: rows, n: d, a: v, lda: d, x: dg, y: c)
            BLAS.gemv(transposeA: true, m: rows, n: d, alpha: -1, a: u, lda: d, x: c, beta: 1, y: newU)
        }
        VectorKernels.scale(newU, 1 / VectorKernels.dot(newV, dg, d), d)
        for i in 0..<d {
            if !newU[i].isFinite { newU[i] = 0 }
            if !newV[i].isFinite { newV[i] = 0 }
        }
    }
}
