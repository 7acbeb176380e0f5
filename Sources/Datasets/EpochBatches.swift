import Foundation
import Tensor

/// The batches of one epoch, in order; a single-pass sequence. Abandoning it mid-epoch stops its
/// background producer.
public final class EpochBatches: Sequence, IteratorProtocol {
    /// Where batches come from: decoded on the calling thread, or handed over by a background one.
    private enum Source {
        case inline(BatchProducer)
        case background(BatchChannel)
    }

    private let batcher: Batcher
    private var source: Source
    /// Seconds this epoch's consumer waited for batches.
    public private(set) var waitSeconds = 0.0

    init(batcher: Batcher, producer: BatchProducer, prefetches: Bool) {
        self.batcher = batcher
        guard prefetches else {
            source = .inline(producer)
            return
        }
        let channel = BatchChannel()
        source = .background(channel)
        Thread {
            var producer = producer
            while let batch = MemoryTracker.dataPipeline.measure({ producer.next() }) {
                guard channel.put(batch) else { return }
            }
            channel.finish()
        }.start()
    }

    deinit {
        if case let .background(channel) = source { channel.cancel() }
    }

    public func next() -> Batch? {
        let start = DispatchTime.now().uptimeNanoseconds
        let batch: Batch?
        switch source {
        case let .background(channel):
            batch = channel.take()
        case var .inline(producer):
            batch = MemoryTracker.dataPipeline.measure { producer.next() }
            source = .inline(producer)
        }
        let waited = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        waitSeconds += waited
        batcher.waitSeconds += waited
        return batch
    }
}
