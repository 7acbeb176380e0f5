import Dispatch
import Foundation
import Synchronization

/// Work split over the cores. On this project's 2-core machines a worker takes about 50 µs to
/// wake, so only chunks of at least about 0.5 ms pay off; the callers pass batch-sized work.
/// Regions must not be nested.
public enum Parallel {
    /// Workers used by `forEachChunk`; 1 runs everything on the calling thread. Defaults to all
    /// cores. Runs that must be bit-reproducible across machines set it (and BLAS threads) to 1.
    public static var workerCount: Int {
        get { workerSetting.load(ordering: .relaxed) }
        set { workerSetting.store(max(1, newValue), ordering: .relaxed) }
    }

    private static let workerSetting = Atomic<Int>(BLAS.processorCount)

    /// Serialises `withSettings` scopes across threads.
    private static let settingsLock = NSLock()

    /// Runs `body` with `workerCount` set to `workers` and, when given, `BLAS.threadCount` to
    /// `blasThreads`, restoring both afterwards. Scopes on different threads run one after the
    /// other, so concurrent callers (parallel tests, say) never see each other's settings. Scopes
    /// must not be nested.
    public static func withSettings<R>(workers: Int, blasThreads: Int? = nil, _ body: () throws -> R) rethrows -> R {
        settingsLock.lock()
        defer { settingsLock.unlock() }
        let (savedWorkers, savedThreads) = (workerCount, BLAS.threadCount)
        workerCount = workers
        if let blasThreads { BLAS.threadCount = blasThreads }
        defer {
            workerCount = savedWorkers
            BLAS.threadCount = savedThreads
        }
        return try body()
    }

    /// Calls `body` on disjoint chunks covering 0..<count, concurrently when more than one worker
    /// is configured.
    public static func forEachChunk(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        forEachWorkerChunk(count, minimumChunk: minimumChunk) { _, range in body(range) }
    }

    /// The number of workers `forEachChunk` and `forEachWorkerChunk` use for `count` items when
    /// each worker must get at least `minimumChunk` of them.
    public static func workers(for count: Int, minimumChunk: Int = 1) -> Int {
        max(1, min(workerCount, count / max(minimumChunk, 1)))
    }

    /// `forEachChunk` that also passes the worker's index in 0..<workers(for:minimumChunk:), so
    /// that each worker can use its own workspace. Worker w gets the w-th chunk in order.
    /// OpenBLAS is switched to one thread inside the region so that the two pools never
    /// oversubscribe the cores. Storage that `body` allocates is charged to the caller's
    /// `MemoryTracker.measure` scopes, whichever thread runs the chunk.
    public static func forEachWorkerChunk(_ count: Int, minimumChunk: Int = 1,
                                          _ body: (_ worker: Int, Range<Int>) -> Void) {
        forEachWorkerChunk(count, workers: workers(for: count, minimumChunk: minimumChunk), body)
    }

    /// `forEachWorkerChunk` over exactly `workers` chunks: for a caller that sized per-worker
    /// state with `workers(for:minimumChunk:)`, which must not read `workerCount` a second time
    /// (another thread's `withSettings` scope may change it in between).
    public static func forEachWorkerChunk(_ count: Int, workers: Int, _ body: (_ worker: Int, Range<Int>) -> Void) {
        let workers = max(1, min(workers, count))
        guard workers > 1 else {
            if count > 0 { body(0, 0..<count) }
            return
        }
        BLAS.enterParallelRegion()
        defer { BLAS.leaveParallelRegion() }
        // Dispatch's worker threads do not inherit task-locals, so the caller's scopes are re-bound.
        let memoryScopes = MemoryTracker.scoped
        // The chunks are disjoint by construction, which is what makes sharing `body` safe.
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lower = w * count / workers, upper = (w + 1) * count / workers
                guard lower < upper else { return }
                MemoryTracker.$scoped.withValue(memoryScopes) { shared.value(w, lower..<upper) }
            }
        }
    }
}

/// Hands a value that the caller guarantees is used race-free to a concurrent region.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
