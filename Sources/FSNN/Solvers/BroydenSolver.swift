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
        // Rows are written before they are read, so the buffers need no zero fill.
        let u = Tensor.uninitialized([batch, memory, d]), v = Tensor.uninitialized([batch, memory, d])
        // Per-worker scratch: the new pair and the coefficients of its three products.
        let workers = Parallel.workers(for: batch, minimumChunk: Self.samplesPerWorker)
        let scratch = (0..<workers).map { _ in Tensor(zeros: [2 * d + 3 * memoryCapacity]) }

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

            let slot = (iterations - 1) % memory, count = stored
            Parallel.forEachWorkerChunk(batch, minimumChunk: Self.samplesPerWorker) { worker, samples in
                let buffer = scratch[worker].pointer
                for b in samples {
                    let offset = b * d
                    update(sample: LowRankRows(u: u.pointer + b * memory * d, v: v.pointer + b * memory * d,
                                               count: count, dimension: d),
                           slot: slot, dx: step.pointer + offset, dg: dg.pointer + offset, gx: gx.pointer + offset,
                           newU: buffer, newV: buffer + d, coefficients: buffer + 2 * d)
                }
            }
            stored = min(stored + 1, memory)
        }
        return AdjointSolution(beta: best, iterations: iterations,
                               relativeResidual: Self.ratio(bestNorm, initialNorm))
    }

    /// One sample's Broyden update from the `count` pairs stored so far (in the cyclic regime all
    /// of them, including the one about to be overwritten, as the reference does):
    ///
    ///     vᵀ = −dx + Σᵢ (dx·uᵢ) vᵢ            (= dxᵀH)
    ///     u  = (dx − H·dg)/(vᵀ·dg),  H·dg = −dg + Σᵢ uᵢ (vᵢ·dg)
    ///     step = −H'·gx = gx − Σᵢ uᵢ (vᵢ·gx) − u (vᵀ·gx)   (H' with the new pair)
    ///
    /// with NaNs in u and vᵀ replaced by 0 as the reference does (and infinities, which the
    /// reference keeps; they only arise when vᵀ·dg is exactly 0 and would poison every later
    /// step). The stored rows are read in three passes (U, V, U) instead of one per product.
    /// On return `dx` holds the next step and the pair is stored in `slot`.
    private func update(sample rows: LowRankRows, slot: Int, dx: UnsafeMutablePointer<Float>,
                        dg: UnsafePointer<Float>, gx: UnsafePointer<Float>, newU: UnsafeMutablePointer<Float>,
                        newV: UnsafeMutablePointer<Float>, coefficients: UnsafeMutablePointer<Float>) {
        let d = rows.dimension, k = rows.count
        let c = coefficients, e = coefficients + memoryCapacity, f = coefficients + 2 * memoryCapacity
        // Pass over U: cᵢ = uᵢ·dx.
        for i in 0..<k { c[i] = VectorKernels.dot(rows.u + i * d, dx, d) }
        // Pass over V: vᵀ = −dx + Σ cᵢ vᵢ; eᵢ = vᵢ·dg; fᵢ = vᵢ·gx.
        for j in 0..<d { newV[j] = -dx[j] }
        for i in 0..<k {
            let row = rows.v + i * d
            VectorKernels.axpy(newV, c[i], row, d)
            e[i] = VectorKernels.dot(row, dg, d)
            f[i] = VectorKernels.dot(row, gx, d)
        }
        // Pass over U: u = dx + dg − Σ eᵢ uᵢ, step = gx − Σ fᵢ uᵢ (dx is no longer needed).
        for j in 0..<d { newU[j] = dx[j] + dg[j] }
        let step = dx
        step.update(from: gx, count: d)
        for i in 0..<k {
            let row = rows.u + i * d
            VectorKernels.axpy(newU, -e[i], row, d)
            VectorKernels.axpy(step, -f[i], row, d)
        }
        VectorKernels.scale(newU, 1 / VectorKernels.dot(newV, dg, d), d)
        for j in 0..<d {
            if !newU[j].isFinite { newU[j] = 0 }
            if !newV[j].isFinite { newV[j] = 0 }
        }
        VectorKernels.axpy(step, -VectorKernels.dot(newV, gx, d), newU, d)
        (rows.u + slot * d).update(from: newU, count: d)
        (rows.v + slot * d).update(from: newV, count: d)
    }

    /// Samples a worker must get before the per-sample updates are split across cores.
    private static let samplesPerWorker = 16

    /// Coefficient slots per product (the low-rank memory never exceeds 27 pairs).
    private var memoryCapacity: Int { 27 }
}

/// The stored pairs of one sample: rows uᵢ and vᵢᵀ of length `dimension`, the first `count` valid.
private struct LowRankRows {
    let u: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    let count: Int
    let dimension: Int
}
