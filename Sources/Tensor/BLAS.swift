import CBLAS
import Synchronization

/// OpenBLAS: single-precision matrix products and the library's thread pool.
public enum BLAS {
    /// Floating-point operations issued through `gemm` (2mnk) and `gemv` (2mn) since the process
    /// started: benchmarks divide differences of it by wall time for the achieved GFLOP/s.
    public static var operationCount: Int { operations.load(ordering: .relaxed) }
    @usableFromInline static let operations = Atomic<Int>(0)

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major, where op(A) is m×k and op(B) is k×n.
    /// `lda`, `ldb`, `ldc` are row strides of A, B, C as stored (before transposition).
    @inlinable
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(max(m, n, k, lda, ldb, ldc) < Int(Int32.max), "gemm extent exceeds OpenBLAS's 32-bit blasint")
        guard m > 0, n > 0 else { return }
        operations.add(2 * m * n * k, ordering: .relaxed)
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y = alpha · op(A) · x + beta · y for a row-major m×n matrix A.
    @inlinable
    public static func gemv(
        transposeA: Bool = false, m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0 else { return }
        operations.add(2 * m * n, ordering: .relaxed)
        cblas_sgemv(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda),
                    x, 1, beta, y, 1)
    }

    /// OpenBLAS threads outside `Parallel` regions. Defaults to all cores (OpenBLAS reads
    /// `OPENBLAS_NUM_THREADS` when it loads). Setting it takes effect at once, or — while a
    /// `Parallel` region keeps OpenBLAS on one thread — when the last region ends.
    public static var threadCount: Int {
        get { threads.withLock { $0.configured } }
        set {
            threads.withLock { state in
                state.configured = max(1, newValue)
                if state.regions == 0 { openblas_set_num_threads(Int32(state.configured)) }
            }
        }
    }

    /// The thread settings as one consistent reading: the configured count, the count OpenBLAS
    /// uses right now (1 inside a region), and the `Parallel` regions in progress.
    public static var threadState: (configured: Int, active: Int, regions: Int) {
        threads.withLock { ($0.configured, Int(openblas_get_num_threads()), $0.regions) }
    }

    /// The configured thread count and the parallel regions in progress on any thread.
    private static let threads = Mutex((configured: Int(openblas_get_num_threads()), regions: 0))

    /// Switches OpenBLAS to one thread for a `Parallel` region; regions may overlap across
    /// threads, and the last one to end restores `threadCount`, so the two thread pools never
    /// oversubscribe the cores and concurrent callers cannot leave OpenBLAS single-threaded.
    static func enterParallelRegion() {
        threads.withLock { state in
            if state.regions == 0 { openblas_set_num_threads(1) }
            state.regions += 1
        }
    }

    static func leaveParallelRegion() {
        threads.withLock { state in
            state.regions -= 1
            if state.regions == 0 { openblas_set_num_threads(Int32(state.configured)) }
        }
    }

    /// Cores OpenBLAS found on this machine.
    public static var processorCount: Int { Int(openblas_get_num_procs()) }

    /// The kernel family OpenBLAS selected (for example "Haswell" or "Cooperlake"); it depends on
    /// the CPU and on `OPENBLAS_CORETYPE`, and it determines the achievable GFLOP/s.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's version and build configuration string.
    public static var configuration: String { String(cString: openblas_get_config()) }
}

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
