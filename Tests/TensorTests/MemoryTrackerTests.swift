import Dispatch
import Synchronization
import Testing
import Tensor

/// Live and peak byte accounting. Scoped trackers (`measure`) see only their own allocations, so
/// these tests check exact byte counts even though other tests allocate concurrently; the process
/// tracker is shared by every test, so only bounds can be checked for it.
@Suite struct MemoryTrackerTests {
    static let bytesPerElement = MemoryLayout<Float>.stride

    @Test(arguments: [0, 1, 7, 1000])
    func allocationAndFreeChangeLiveBytesByCountTimesFour(_ count: Int) {
        let tracker = MemoryTracker()
        tracker.measure {
            let t = Tensor(zeros: [count])
            #expect(tracker.liveBytes == count * Self.bytesPerElement)
            #expect(tracker.peakBytes == count * Self.bytesPerElement)
            withExtendedLifetime(t) {}
        }
        #expect(tracker.liveBytes == 0)
        #expect(tracker.peakBytes == count * Self.bytesPerElement)
    }

    /// Every way of making a tensor with new storage charges exactly its elements.
    @Test func everyConstructorChargesItsElements() throws {
        let tracker = MemoryTracker()
        try tracker.measure {
            let source = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
            var expected = 6 * Self.bytesPerElement
            #expect(tracker.liveBytes == expected)
            let made: [Tensor] = [
                Tensor(repeating: 2, shape: [5]), source.copy(), try source.sum(alongAxes: [0]),
                try source.logSoftmaxRows(),
            ]
            expected += made.reduce(0) { $0 + $1.count } * Self.bytesPerElement
            #expect(tracker.liveBytes == expected)
            withExtendedLifetime(made) {}
        }
        #expect(tracker.liveBytes == 0)
    }

    @Test func viewsAndHandleCopiesDoNotAllocate() throws {
        let tracker = MemoryTracker()
        try tracker.measure {
            let t = Tensor(zeros: [4, 5])
            let bytes = 20 * Self.bytesPerElement
            let handle = t
            let views = [try t.reshaped([20]), try t.batch(1..<3), try t.batch(0..<4).reshaped([2, 10]), handle]
            #expect(tracker.liveBytes == bytes)
            #expect(tracker.peakBytes == bytes)
            withExtendedLifetime(views) {}
            // The storage lives while any view does.
            let survivor = try t.batch(2..<3)
            #expect(tracker.liveBytes == bytes)
            withExtendedLifetime(survivor) {}
        }
        #expect(tracker.liveBytes == 0)
    }

    /// Storage made inside the scope is freed from the scope's tracker wherever it is released.
    @Test func storageEscapingTheScopeIsFreedFromItsTracker() {
        let tracker = MemoryTracker()
        var escaped: Tensor? = tracker.measure { Tensor(zeros: [100]) }
        #expect(tracker.liveBytes == 100 * Self.bytesPerElement)
        let outside = Tensor(zeros: [50])
        #expect(tracker.liveBytes == 100 * Self.bytesPerElement)
        escaped = nil
        #expect(tracker.liveBytes == 0 && escaped == nil)
        withExtendedLifetime(outside) {}
    }

    @Test func resetPeakSetsThePeakToTheLiveBytes() {
        let tracker = MemoryTracker()
        let b = Self.bytesPerElement
        tracker.measure {
            var big: Tensor? = Tensor(zeros: [100])
            let small = Tensor(zeros: [30])
            big = nil
            #expect(tracker.liveBytes == 30 * b && tracker.peakBytes == 130 * b && big == nil)
            tracker.resetPeak()
            #expect(tracker.peakBytes == 30 * b)
            let medium = Tensor(zeros: [10])
            #expect(tracker.peakBytes == 40 * b)
            withExtendedLifetime((small, medium)) {}
        }
        #expect(tracker.liveBytes == 0 && tracker.peakBytes == 40 * b)
    }

    /// An outer scope also sees what nested scopes allocate; the inner scope only its own.
    @Test func nestedScopes() {
        let outer = MemoryTracker(), inner = MemoryTracker()
        let b = Self.bytesPerElement
        outer.measure {
            let a = Tensor(zeros: [10])
            inner.measure {
                let c = Tensor(zeros: [20])
                #expect(inner.liveBytes == 20 * b)
                #expect(outer.liveBytes == 30 * b)
                // Measuring again with a bound tracker charges it once, and stays inside `inner`.
                outer.measure {
                    withExtendedLifetime(Tensor(zeros: [5])) {
                        #expect(outer.liveBytes == 35 * b && inner.liveBytes == 25 * b)
                    }
                }
                withExtendedLifetime(c) {}
            }
            #expect(inner.liveBytes == 0 && inner.peakBytes == 25 * b)
            #expect(outer.liveBytes == 10 * b && outer.peakBytes == 35 * b)
            withExtendedLifetime(a) {}
        }
    }

    /// Scopes on several threads at once, each allocating its own pattern while an unscoped thread
    /// churns allocations: every tracker sees exactly its own bytes.
    @Test func concurrentScopesSeeOnlyTheirOwnAllocations() {
        let stop = Atomic(false), churned = Atomic(0)
        let background = DispatchGroup()
        DispatchQueue.global().async(group: background) {
            while !stop.load(ordering: .relaxed) {
                withExtendedLifetime(Tensor(zeros: [257])) {}
                churned.add(1, ordering: .relaxed)
            }
        }
        while churned.load(ordering: .relaxed) == 0 {}

        let scopes = 4
        let exact = Mutex([Bool](repeating: false, count: scopes))
        DispatchQueue.concurrentPerform(iterations: scopes) { scope in
            let tracker = MemoryTracker()
            let elements = 1000 * (scope + 1)
            var ok = true
            tracker.measure {
                var kept: [Tensor] = []
                for round in 1...50 {
                    kept.append(Tensor(zeros: [elements]))
                    withExtendedLifetime(Tensor(zeros: [3])) {}
                    ok = ok && tracker.liveBytes == round * elements * Self.bytesPerElement
                }
                withExtendedLifetime(kept) {}
            }
            // The peak is reached by the last 3-element temporary on top of all kept tensors.
            ok = ok && tracker.liveBytes == 0 && tracker.peakBytes == (50 * elements + 3) * Self.bytesPerElement
            exact.withLock { $0[scope] = ok }
        }
        stop.store(true, ordering: .relaxed)
        background.wait()
        #expect(exact.withLock { $0 } == [Bool](repeating: true, count: scopes))
    }

    /// The process tracker is charged for every storage, scoped or not. Other tests allocate and free
    /// at the same time, so only bounds that they cannot break are checked.
    @Test func processTrackerCountsEveryStorage() {
        let bytes = (1 << 20) * Self.bytesPerElement
        let unscoped = Tensor(zeros: [1 << 20])
        #expect(MemoryTracker.process.liveBytes >= bytes)
        let scoped = MemoryTracker().measure { Tensor(zeros: [1 << 20]) }
        #expect(MemoryTracker.process.liveBytes >= 2 * bytes)
        #expect(MemoryTracker.process.peakBytes >= 2 * bytes)
        withExtendedLifetime((unscoped, scoped)) {}
    }

    /// Storage made in the data pipeline's scope is charged to it and to the enclosing scopes, not to
    /// the process tracker. 1 GiB, never touched (not zeroed), is far beyond what the other tests
    /// allocate or free meanwhile, so the bound on the process tracker's change cannot break by chance.
    @Test func dataPipelineStorageIsLeftOutOfTheProcessTracker() {
        let bytes = 1 << 30
        let outer = MemoryTracker()
        let pipelineBefore = MemoryTracker.dataPipeline.liveBytes
        let processBefore = MemoryTracker.process.liveBytes
        let storage = outer.measure { MemoryTracker.dataPipeline.measure { TensorStorage(capacity: bytes / 4, zeroed: false) } }
        #expect(outer.liveBytes == bytes)
        #expect(MemoryTracker.dataPipeline.liveBytes - pipelineBefore >= bytes)
        #expect(abs(MemoryTracker.process.liveBytes - processBefore) < bytes / 2)
        withExtendedLifetime(storage) {}
    }
}
