/// A 64-byte aligned block of `Float`s owned by one or more `Tensor` views, zero-initialised
/// unless created for scratch use. Creation and destruction are reported to `MemoryTracker`.
public final class TensorStorage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let capacity: Int
    private let scopedTrackers: [MemoryTracker]
    /// Whether `MemoryTracker.process` counts this storage (all but the data pipeline's).
    private let chargesProcess: Bool

    public init(capacity: Int, zeroed: Bool = true) {
        precondition(capacity >= 0, "negative storage capacity")
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(capacity, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(capacity, 1))
        if zeroed { base.initialize(repeating: 0, count: max(capacity, 1)) }
        self.capacity = capacity
        scopedTrackers = MemoryTracker.scoped
        chargesProcess = !scopedTrackers.contains { $0 === MemoryTracker.dataPipeline }
        if chargesProcess { MemoryTracker.process.allocated(byteCount) }
        for tracker in scopedTrackers { tracker.allocated(byteCount) }
    }

    public var byteCount: Int { capacity * MemoryLayout<Float>.stride }

    /// Whether `tracker` counts this storage's bytes.
    func isCharged(to tracker: MemoryTracker) -> Bool {
        tracker === MemoryTracker.process ? chargesProcess : scopedTrackers.contains { $0 === tracker }
    }

    deinit {
        if chargesProcess { MemoryTracker.process.freed(byteCount) }
        for tracker in scopedTrackers { tracker.freed(byteCount) }
        UnsafeMutableRawPointer(base).deallocate()
    }
}
