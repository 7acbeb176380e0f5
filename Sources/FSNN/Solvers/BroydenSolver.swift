import Tensor

/// Broyden's method on G(β) = Jᵀβ − β + g exactly as spec §4.4 (the reference's DEQ solver):
/// an inverse-Jacobian estimate H = −I + Σᵢ uᵢvᵢᵀ per sample, low-rank memory of
/// min(maxIterations, 27) pairs overwritten cyclically, no line search, stopping when the global
/// residual ‖G‖ over the batch falls below 2e-10·√(B·D), a protective break when ‖G‖ exceeds
/// 10⁶ × its initial value, and the lowest-residual iterate returned.
///
/// Dot products run per sample over D; norms over the whole batch. The memory is one [B, D] slot
/// of u's and one of vᵀ's per stored pair, allocated when a pair is first stored: a solve that
/// stops after n iterations holds 2 × B × (n − 1) × D floats (typically 7–14 pairs of the 27)
/// instead of the reference's 2 × B × 27 × D allocated up front (spec §4.9), which
/// `allocatesFullMemory` (quirk `broyden_full_allocation`) reproduces for Table 4. The iterates
/// are the same either way.
public struct BroydenSolver: AdjointSolver {
    public let maxIterations: Int
    /// Quirk B7: the first step is −G(0) (the reference) instead of the Newton step +G(0).
    public let negativeFirstStep: Bool

    /// The §4.4 stopping rule; false always runs `maxIterations` (benchmarks).
    public let stopsEarly: Bool

    /// Allocate all low-rank slots at the start of every solve, as the reference does.
    public let allocatesFullMemory: Bool

    /// The most (u, vᵀ) pairs the low-rank memory holds (spec §4.4).
    public static let memoryLimit = 27

    public init(maxIterations: Int = 30, negativeFirstStep: Bool = false, stopsEarly: Bool = true,
                allocatesFullMemory: Bool = false) {
        self.maxIterations = maxIterations
        self.negativeFirstStep = negativeFirstStep
        self.stopsEarly = stopsEarly
        self.allocatesFullMemory = allocatesFullMemory
    }

    public func solve(_ problem: AdjointProblem) throws -> AdjointSolution {
        let g = problem.rightHandSide
        let batch = problem.batchSize, d = problem.dimension, shape = g.shape
        let memory = max(1, min(maxIterations, Self.memoryLimit))
        let tolerance = problem.tolerance(stopsEarly: stopsEarly)

        let x = Tensor(zeros: shape), step = g.copy(), best = Tensor(zeros: shape)
        // G(x) and the next residual swap roles every iteration; the older one becomes dg.
        var gx = g.copy(), gNew = Tensor(zeros: shape)
        if negativeFirstStep { step.scale(by: -1) }
        let initialNorm = gx.norm()
        var bestNorm = initialNorm
        // Slot i holds the [B, D] rows uᵢ of every sample (and likewise vᵢᵀ). Rows are written
        // before they are read, so the slots need no zero fill.
        var u: [Tensor] = [], v: [Tensor] = []
        func allocateSlot() {
            u.append(Tensor.uninitialized([batch, d]))
            v.append(Tensor.uninitialized([batch, d]))
        }
        if allocatesFullMemory { for _ in 0..<memory { allocateSlot() } }
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
            let (older, newer) = (gx.pointer, gNew.pointer)
            for i in 0..<g.count { older[i] = newer[i] - older[i] }
            (gx, gNew) = (gNew, gx)
            let norm = gx.norm()
            if norm < bestNorm {
                bestNorm = norm
                try best.assign(x)
            }
            if norm < tolerance || norm > 1e6 * initialNorm || iterations == maxIterations { break }

            let slot = (iterations - 1) % memory, count = stored
            if slot == u.count { allocateSlot() }
            // gNew holds dg until the next residual overwrites it.
            let uBases = u.map(\.pointer), vBases = v.map(\.pointer), residual = gx, dg = gNew
            Parallel.forEachWorkerChunk(batch, workers: workers) { worker, samples in
                let buffer = scratch[worker].pointer
                for b in samples {
                    let offset = b * d
                    update(sample: LowRankRows(u: uBases, v: vBases, offset: offset, count: count, dimension: d),
                           slot: slot, dx: step.pointer + offset, dg: dg.pointer + offset, gx: residual.pointer + offset,
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
        for i in 0..<k { c[i] = VectorKernels.dot(rows.u(i), dx, d) }
        // Pass over V: vᵀ = −dx + Σ cᵢ vᵢ; eᵢ = vᵢ·dg; fᵢ = vᵢ·gx.
        for j in 0..<d { newV[j] = -dx[j] }
        for i in 0..<k {
            let row = rows.v(i)
            VectorKernels.axpy(newV, c[i], row, d)
            e[i] = VectorKernels.dot(row, dg, d)
            f[i] = VectorKernels.dot(row, gx, d)
        }
        // Pass over U: u = dx + dg − Σ eᵢ uᵢ, step = gx − Σ fᵢ uᵢ (dx is no longer needed).
        for j in 0..<d { newU[j] = dx[j] + dg[j] }
        let step = dx
        step.update(from: gx, count: d)
        for i in 0..<k {
            let row = rows.u(i)
            VectorKernels.axpy(newU, -e[i], row, d)
            VectorKernels.axpy(step, -f[i], row, d)
        }
        VectorKernels.scale(newU, 1 / VectorKernels.dot(newV, dg, d), d)
        for j in 0..<d {
            if !newU[j].isFinite { newU[j] = 0 }
            if !newV[j].isFinite { newV[j] = 0 }
        }
        VectorKernels.axpy(step, -VectorKernels.dot(newV, gx, d), newU, d)
        rows.u(slot).update(from: newU, count: d)
        rows.v(slot).update(from: newV, count: d)
    }

    /// Samples a worker must get before the per-sample updates are split across cores.
    private static let samplesPerWorker = 16

    /// Coefficient slots per product (the low-rank memory never exceeds its limit).
    private var memoryCapacity: Int { Self.memoryLimit }
}

/// The stored pairs of one sample: rows uᵢ and vᵢᵀ of length `dimension` at `offset` in slot i,
/// the first `count` valid.
private struct LowRankRows {
    let uSlots: [UnsafeMutablePointer<Float>]
    let vSlots: [UnsafeMutablePointer<Float>]
    let offset: Int
    let count: Int
    let dimension: Int

    init(u: [UnsafeMutablePointer<Float>], v: [UnsafeMutablePointer<Float>], offset: Int, count: Int, dimension: Int) {
        (uSlots, vSlots, self.offset, self.count, self.dimension) = (u, v, offset, count, dimension)
    }

    @inline(__always) func u(_ i: Int) -> UnsafeMutablePointer<Float> { uSlots[i] + offset }
    @inline(__always) func v(_ i: Int) -> UnsafeMutablePointer<Float> { vSlots[i] + offset }
}
