import Tensor

/// Anderson acceleration (type II, mixing 1) of the fixed-point map q(β) = Jᵀβ + g, per sample:
/// with the last n ≤ m residuals Fᵢ = q(βᵢ) − βᵢ, choose weights α (Σα = 1) minimising
/// ‖Σ αᵢ Fᵢ‖ and set β ← Σ αᵢ q(βᵢ). For a linear map this is a restarted GMRES in disguise.
/// Starts from β₀ = 0 (so q(β₀) = g costs no product); stops on Broyden's rule
/// (‖G‖ < 2e-10·√(B·D) over the batch) or after `maxIterations` products; returns the
/// lowest-residual iterate.
public struct AndersonSolver: AdjointSolver {
    public let maxIterations: Int
    public let memory: Int
    /// Tikhonov term of the m×m least-squares system, relative to its largest diagonal entry.
    public let regularisation: Double

    /// The stopping rule; false always runs `maxIterations`.
    public let stopsEarly: Bool

    public init(maxIterations: Int = 30, memory: Int = 5, regularisation: Double = 1e-10, stopsEarly: Bool = true) {
        self.maxIterations = maxIterations
        self.stopsEarly = stopsEarly
        self.memory = max(1, memory)
        self.regularisation = regularisation
    }

    public func solve(_ problem: AdjointProblem) throws -> AdjointSolution {
        let g = problem.rightHandSide
        let batch = problem.batchSize, d = problem.dimension
        let tolerance = problem.tolerance(stopsEarly: stopsEarly)
        let reference = g.norm()
        // Ring buffers per sample: rows of q(βᵢ) and of Fᵢ.
        let q = Tensor(zeros: [batch, memory, d]), f = Tensor(zeros: [batch, memory, d])
        let beta = Tensor(zeros: g.shape), product = Tensor(zeros: g.shape), best = Tensor(zeros: g.shape)
        let gram = Tensor(zeros: [memory, memory])
        var bestNorm = reference

        // β₀ = 0: q(β₀) = g and F₀ = g.
        for b in 0..<batch {
            (q.pointer + b * memory * d).update(from: g.pointer + b * d, count: d)
            (f.pointer + b * memory * d).update(from: g.pointer + b * d, count: d)
        }
        var stored = 1
        var iterations = 0
        while true {
            mix(q: q, f: f, rows: stored, newest: iterations % memory, into: beta, gram: gram, batch: batch,
                dimension: d)
            if iterations == maxIterations || bestNorm < tolerance { break }
            iterations += 1
            // q(β) = Jᵀβ + g and F = q(β) − β, written into the next ring slot.
            try problem.applyJacobianTranspose(beta, product)
            try product.add(g)
            let slot = iterations % memory
            var normSquared: Float = 0
            for b in 0..<batch {
                let qRow = q.pointer + (b * memory + slot) * d, fRow = f.pointer + (b * memory + slot) * d
                let betaRow = beta.pointer + b * d
                qRow.update(from: product.pointer + b * d, count: d)
                for i in 0..<d { fRow[i] = qRow[i] - betaRow[i] }
                normSquared += VectorKernels.dot(fRow, fRow, d)
            }
            stored = min(stored + 1, memory)
            let norm = normSquared.squareRoot()
            if norm < bestNorm {
                bestNorm = norm
                try best.assign(beta)
            }
            if norm < tolerance { break }
        }
        return AdjointSolution(beta: best, iterations: iterations, relativeResidual: Self.ratio(bestNorm, reference))
    }

    /// β = Σᵢ αᵢ q(βᵢ) per sample, α = argmin ‖Σ αᵢ Fᵢ‖ subject to Σ αᵢ = 1 over the `rows`
    /// stored pairs, from the normal equations (Gram matrix FFᵀ) solved in Float64.
    /// A degenerate history (all weights undefined) falls back to the newest iterate's q.
    private func mix(q: Tensor, f: Tensor, rows n: Int, newest: Int, into beta: Tensor, gram: Tensor, batch: Int,
                     dimension d: Int) {
        for b in 0..<batch {
            let qb = q.pointer + b * memory * d, fb = f.pointer + b * memory * d
            BLAS.gemm(transposeB: true, m: n, n: n, k: d, a: fb, lda: d, b: fb, ldb: d, c: gram.pointer, ldc: n)
            let alpha = Self.constrainedLeastSquaresWeights(gram: gram.pointer, n: n, regularisation: regularisation)
                ?? (0..<n).map { $0 == newest ? 1 : 0 }
            let row = beta.pointer + b * d
            row.update(repeating: 0, count: d)
            for (i, weight) in alpha.enumerated() { VectorKernels.axpy(row, Float(weight), qb + i * d, d) }
        }
    }

    /// Solves min αᵀHα subject to Σα = 1: α = H⁻¹1 / (1ᵀH⁻¹1), with H regularised by
    /// `regularisation`·max diag(H). Gaussian elimination with partial pivoting in Float64; nil
    /// when the weights are undefined.
    static func constrainedLeastSquaresWeights(gram: UnsafePointer<Float>, n: Int, regularisation: Double) -> [Double]? {
        var h = (0..<n * n).map { Double(gram[$0]) }
        let scale = (0..<n).map { h[$0 * n + $0] }.max() ?? 0
        for i in 0..<n { h[i * n + i] += regularisation * max(scale, .leastNormalMagnitude) }
        var rhs = [Double](repeating: 1, count: n)
        for column in 0..<n {
            let pivot = (column..<n).max { abs(h[$0 * n + column]) < abs(h[$1 * n + column]) }!
            if pivot != column {
                for j in 0..<n { h.swapAt(column * n + j, pivot * n + j) }
                rhs.swapAt(column, pivot)
            }
            let diagonal = h[column * n + column]
            guard diagonal != 0 else { continue }
            for r in (column + 1)..<n {
                let factor = h[r * n + column] / diagonal
                for j in column..<n { h[r * n + j] -= factor * h[column * n + j] }
                rhs[r] -= factor * rhs[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var value = rhs[r]
            for j in (r + 1)..<n { value -= h[r * n + j] * x[j] }
            let diagonal = h[r * n + r]
            x[r] = diagonal != 0 ? value / diagonal : 0
        }
        let total = x.reduce(0, +)
        guard total != 0, total.isFinite else { return nil }
        return x.map { $0 / total }
    }
}
