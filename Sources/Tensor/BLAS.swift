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
