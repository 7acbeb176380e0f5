extension Tensor {
    /// c = alpha · op(a) · op(b) + beta · c for 2-d tensors, or for 3-d tensors as a strided
    /// batch of independent products (the leading extent is the batch; a 2-d operand is shared by
    /// every batch entry).
    public static func gemm(
        _ a: Tensor, transposed transposeA: Bool = false, _ b: Tensor, transposed transposeB: Bool = false,
        into c: Tensor, alpha: Float = 1, beta: Float = 0
    ) throws(TensorError) {
        func matrix(_ t: Tensor, _ name: String) throws(TensorError) -> (batch: Int?, rows: Int, cols: Int) {
            switch t.rank {
            case 2: return (nil, t.shape[0], t.shape[1])
            case 3: return (t.shape[0], t.shape[1], t.shape[2])
            default: throw .invalidShape(operation: "gemm \(name)", shape: t.shape, reason: "expected rank 2 or 3")
            }
        }
        let ma = try matrix(a, "a"), mb = try matrix(b, "b"), mc = try matrix(c, "c")
        let (m, k) = transposeA ? (ma.cols, ma.rows) : (ma.rows, ma.cols)
        let (kb, n) = transposeB ? (mb.cols, mb.rows) : (mb.rows, mb.cols)
        guard k == kb else { throw .shapeMismatch(operation: "gemm inner dimension", lhs: a.shape, rhs: b.shape) }
        guard mc.rows == m, mc.cols == n else {
            throw .shapeMismatch(operation: "gemm output", lhs: c.shape, rhs: [m, n])
        }
        let batches = mc.batch ?? 1
        for (operand, batch) in [(a, ma.batch), (b, mb.batch)] where batch != nil && batch != batches {
            throw .shapeMismatch(operation: "gemm batch", lhs: operand.shape, rhs: c.shape)
        }
        let strideA = ma.batch == nil ? 0 : ma.rows * ma.cols
        let strideB = mb.batch == nil ? 0 : mb.rows * mb.cols
        for i in 0..<batches {
            BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a.pointer + i * strideA, lda: ma.cols, b: b.pointer + i * strideB, ldb: mb.cols,
                      beta: beta, c: c.pointer + i * m * n, ldc: n)
        }
    }
}
