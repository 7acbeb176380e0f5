import Foundation

/// Hands batches from one producer thread to one consumer, in order, holding at most one ready
/// batch: while the consumer trains on batch k, the producer decodes batch k + 1 and then waits.
///
/// `@unchecked Sendable`: every stored property is read and written only with `condition` locked.
final class BatchChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: Batch?
    private var finished = false
    private var cancelled = false

    /// Producer: waits until the slot is free, then fills it. Returns false (and drops `batch`)
    /// once the consumer has cancelled.
    func put(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready != nil && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        ready = batch
        condition.broadcast()
        return true
    }

    /// Producer: no more batches follow.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next batch, waiting for it if necessary; nil after `finish`.
    func take() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while ready == nil && !finished { condition.wait() }
        let batch = ready
        ready = nil
        condition.broadcast()
        return batch
    }

    /// Consumer: stop the producer at its next hand-over.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
