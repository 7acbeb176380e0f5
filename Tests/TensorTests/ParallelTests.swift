import Dispatch
import Foundation
import Synchronization
import Testing
import Tensor

/// `Parallel.forEachChunk`. These tests change process-wide settings (`Parallel.workerCount`,
/// `BLAS.threadCount`) inside `Parallel.withSettings`, which serialises them against every other
/// test that does the same; other tests may still run parallel regions concurrently, so thread
/// counts are checked through invariants of one consistent `BLAS.threadState` reading.
@Suite(.serialized) struct ParallelTests {
    /// Runs `body` with `Parallel.workerCount = workers`, restoring the previous value afterwards.
    private func withWorkers<R>(_ workers: Int, _ body: () throws -> R) rethrows -> R {
        try Parallel.withSettings(workers: workers, body)
    }

    /// The chunks `forEachChunk` hands out, in order of their lower bounds.
    private func chunks(_ count: Int, minimumChunk: Int) -> [Range<Int>] {
        let seen = Mutex<[Range<Int>]>([])
        Parallel.forEachChunk(count, minimumChunk: minimumChunk) { range in seen.withLock { $0.append(range) } }
        return seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
    }

    @Test func chunksCoverTheRangeExactlyOnce() {
        for workers in [1, 2, 3, 8] {
            for count in [0, 1, 2, 5, 64, 1001] {
                for minimumChunk in [1, 4, 100] {
                    let ranges = withWorkers(workers) { chunks(count, minimumChunk: minimumChunk) }
                    let context = "workers \(workers), count \(count), minimumChunk \(minimumChunk): \(ranges)"
                    // Sorted, non-empty, and each starting where the previous ended: a partition.
                    #expect(ranges.allSatisfy { !$0.isEmpty }, "\(context)")
                    #expect(ranges.first?.lowerBound ?? 0 == 0, "\(context)")
                    #expect(ranges.last?.upperBound ?? 0 == count, "\(context)")
                    #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "\(context)")
                    // As many chunks as workers, unless chunks would fall below the minimum size.
                    let expected = count == 0 ? 0 : max(1, min(workers, count / minimumChunk))
                    #expect(ranges.count == expected, "\(context)")
                    if ranges.count > 1 { #expect(ranges.allSatisfy { $0.count >= minimumChunk }, "\(context)") }
                }
            }
        }
    }

    /// With an explicit worker count the region uses exactly that many chunks (fewer only when
    /// there are fewer items), whatever `workerCount` says by then: a caller that sized per-worker
    /// state for it can index that state by the worker.
    @Test func anExplicitWorkerCountIsTheOneUsed() {
        for (workers, count, expected) in [(3, 10, 3), (2, 1, 1), (4, 4, 4)] {
            let seen = Mutex<[Int]>([])
            withWorkers(1) {
                Parallel.forEachWorkerChunk(count, workers: workers) { worker, _ in seen.withLock { $0.append(worker) } }
            }
            #expect(seen.withLock { $0 }.sorted() == Array(0..<expected), "workers \(workers), count \(count)")
        }
    }

    /// OpenBLAS runs single-threaded inside a parallel region, and the configured count is back
    /// in force whenever no region is running.
    @Test func blasThreadCountIsOneInsideAndRestoredAfter() {
        for threads in Set([1, max(2, BLAS.processorCount)]) {
            Parallel.withSettings(workers: 2, blasThreads: threads) {
                let inside = Mutex<[Int]>([])
                Parallel.forEachChunk(100) { _ in
                    let active = BLAS.threadState.active
                    inside.withLock { $0.append(active) }
                }
                #expect(inside.withLock { $0 } == [1, 1])
                let after = BLAS.threadState
                #expect(after.configured == threads)
                #expect(after.regions > 0 || after.active == threads, "\(after)")
            }
            // With one worker the body runs on the calling thread: no region, no switch.
            Parallel.withSettings(workers: 1, blasThreads: threads) {
                let caller = pthread_self()
                Parallel.forEachChunk(100) { _ in #expect(pthread_equal(pthread_self(), caller) != 0) }
            }
        }
    }

    /// A thread count set while a region keeps OpenBLAS on one thread takes effect when it ends.
    @Test func settingTheThreadCountInsideARegionIsDeferred() {
        Parallel.withSettings(workers: 2, blasThreads: 1) {
            let target = max(2, BLAS.processorCount)
            Parallel.forEachWorkerChunk(2) { worker, _ in
                if worker == 0 { BLAS.threadCount = target }
                #expect(BLAS.threadState.active == 1)
            }
            let after = BLAS.threadState
            #expect(after.configured == target)
            #expect(after.regions > 0 || after.active == target, "\(after)")
        }
    }

    @Test func blasThreadCountIsAtLeastOne() {
        Parallel.withSettings(workers: 1, blasThreads: 0) {
            #expect(BLAS.threadCount == 1)
        }
        #expect(BLAS.processorCount >= 1)
        #expect(!BLAS.coreName.isEmpty && !BLAS.configuration.isEmpty)
    }

    /// Two threads in parallel regions at the same time must not leave OpenBLAS single-threaded.
    @Test func concurrentRegionsRestoreTheBLASThreadCount() {
        let configured = max(2, BLAS.processorCount)
        Parallel.withSettings(workers: 2, blasThreads: configured) {
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                for _ in 0..<300 { Parallel.forEachChunk(64) { range in _ = range.reduce(0, +) } }
            }
            let after = BLAS.threadState
            #expect(after.configured == configured)
            #expect(after.regions > 0 || after.active == configured, "\(after)")
        }
    }

    /// Storage allocated by a chunk on a worker thread is charged to the caller's scoped tracker.
    /// Each chunk holds its thread for 10 ms so that Dispatch's second thread takes chunks too.
    @Test func workerAllocationsAreChargedToTheCallersScope() {
        let tracker = MemoryTracker()
        let chunkCount = 4, elements = 1000
        let kept = Mutex<[Tensor]>([])
        withWorkers(chunkCount) {
            tracker.measure {
                Parallel.forEachChunk(chunkCount) { _ in
                    let t = Tensor(zeros: [elements])
                    Thread.sleep(forTimeInterval: 0.01)
                    kept.withLock { $0.append(t) }
                }
            }
        }
        #expect(kept.withLock { $0.count } == chunkCount)
        #expect(tracker.liveBytes == chunkCount * elements * MemoryLayout<Float>.stride)
        kept.withLock { $0.removeAll() }
        #expect(tracker.liveBytes == 0)
    }
}
