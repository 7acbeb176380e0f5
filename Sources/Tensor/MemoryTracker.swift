import Synchronization

/// Live and peak bytes of tensor storage: the analogue of `torch.cuda.memory_allocated` and
/// `torch.cuda.max_memory_allocated`, counted when a `TensorStorage` is created or freed.
///
/// Every storage is charged to `MemoryTracker.process` and to every tracker bound to the current
/// task (`MemoryTracker.measure`, which nests). A scoped tracker sees only the allocations made
/// inside its scope, so concurrent work (parallel tests, other runs) does not disturb it.
public final class MemoryTracker: Sendable {
    private struct Counts {
        var live = 0
        var peak = 0
    }

    private let counts = Mutex(Counts())

    /// The tracker of the whole process, except the data pipeline's batches (`dataPipeline`).
    public static let process = MemoryTracker()

    /// The storage of the batches a data pipeline has decoded and not yet released: the batch in
    /// training and those decoded ahead of it. Storage created in its scope is charged to it (and to
    /// the other scopes bound) but not to `process`: how many batches a background producer holds
    /// depends on thread timing, and a training step's absolute peak, read from `process`, must not.
    public static let dataPipeline = MemoryTracker()

    /// The trackers of the enclosing `measure` scopes, outermost first.
    @TaskLocal static var scoped: [MemoryTracker] = []

    public init() {}

    /// Bytes of tensor storage currently alive.
    public var liveBytes: Int { counts.withLock { $0.live } }

    /// Highest value `liveBytes` reached since creation or the last `resetPeak()`.
    public var peakBytes: Int { counts.withLock { $0.peak } }

    /// Sets the peak to the current live bytes.
    public func resetPeak() {
        counts.withLock { $0.peak = $0.live }
    }

    /// Runs `body` with this tracker bound to the current task: storage created inside is charged
    /// to it (and freed from it, wherever it is freed), and to the trackers of enclosing scopes.
    public func measure<R>(_ body: () throws -> R) rethrows -> R {
        let enclosing = MemoryTracker.scoped
        let bound = enclosing.contains { $0 === self } ? enclosing : enclosing + [self]
        return try MemoryTracker.$scoped.withValue(bound, operation: body)
    }

    func allocated(_ bytes: Int) {
        counts.withLock {
            $0.live += bytes
            $0.peak = max($0.peak, $0.live)
        }
    }

    func freed(_ bytes: Int) {
        counts.withLock { $0.live -= bytes }
    }
}
