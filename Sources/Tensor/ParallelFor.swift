import Dispatch

/// Work split over the cores. On this project's 2-core machines a worker takes about 50 µs to
/// wake, so only chunks of at least about 0.5 ms pay off; the callers pass batch-sized work.
public enum Parallel {
    /// Workers used by `forEachChunk`; 1 runs everything on the calling thread. Defaults to all
    /// cores. Runs that must be bit-reproducible across machines set it (and BLAS threads) to 1.
    nonisolated(unsafe) public static var workerCount: Int = BLAS.processorCount

    /// Calls `body` on disjoint chunks covering 0..<count, concurrently when more than one worker
    /// is configured. OpenBLAS is switched to one thread inside the region so that the two pools
    /// never oversubscribe the cores.
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
    public static func forEachWorkerChunk(_ count: Int, minimumChunk: Int = 1, _ body: (_ worker: Int, Range<Int>) -> Void) {
        let workers = workers(for: count, minimumChunk: minimumChunk)
        guard workers > 1 else {
            if count > 0 { body(0, 0..<count) }
            return
        }
        let blasThreads = BLAS.threadCount
        BLAS.threadCount = 1
        defer { BLAS.threadCount = blasThreads }
        // The chunks are disjoint by construction, which is what makes sharing `body` safe.
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lower = w * count / workers, upper = (w + 1) * count / workers
                if lower < upper { shared.value(w, lower..<upper) }
            }
        }
    }
}

/// Hands a value that the caller guarantees is used race-free to a concurrent region.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
