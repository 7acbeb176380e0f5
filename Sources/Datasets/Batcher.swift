import Foundation
import Tensor

/// One mini-batch.
public struct Batch: Sendable {
    /// [B] + the split's sample shape.
    public let inputs: Tensor
    /// The B labels.
    public let labels: [Int]
    /// The B sample indices in the split.
    public let indices: [Int]
}

/// Which samples of a split the batcher uses (for quick profiles).
public enum SubsetRule: Codable, Hashable, Sendable {
    case all
    /// Samples 0..<n.
    case first(Int)
    /// n samples drawn without replacement by the batcher's seed, in ascending index order.
    case sample(Int)
}

/// The batcher's random state at an epoch boundary: store it with a checkpoint and assign it back
/// (to a batcher made with the same split, seed and subset) to resume with identical batches.
public struct BatcherState: Codable, Equatable, Sendable {
    /// Draws each epoch's permutation.
    public var shuffle: RandomGenerator
    /// Each epoch's augmentation stream is split off this generator.
    public var augmentation: RandomGenerator
}

/// Cuts a split into mini-batches, epoch by epoch: a seeded permutation per epoch (or file order),
/// batches of `batchSize` with the last partial batch kept, samples decoded (and augmented) on a
/// background thread one batch ahead of the consumer.
///
/// Reproducibility: the generator passed in is split into independent streams for shuffling,
/// augmentation and subset sampling. Each epoch draws its permutation and splits off its own
/// augmentation stream when it starts, and the producer decodes samples in batch order, so the
/// batches depend only on the seed and the epoch number, never on thread timing or on how much of
/// an earlier epoch was consumed.
///
/// Data-wait accounting: `waitSeconds` accumulates the time `next()` blocked for a batch that was
/// not ready yet (without prefetching, all decode time), so a trainer can report the fraction of
/// an epoch spent waiting for data.
public final class Batcher {
    public let split: any DatasetSplit
    public let batchSize: Int
    /// Whether each epoch uses a fresh permutation (training) or index order (evaluation).
    public let shuffles: Bool
    /// Whether batches are decoded on a background thread ahead of the consumer.
    public let prefetches: Bool
    /// The split indices the batcher draws from: all, or the subset.
    public let sampleIndices: [Int]
    /// The random state; read it at an epoch boundary to checkpoint, assign it to resume.
    public var state: BatcherState
    /// Total seconds the consumer waited for batches, over all epochs.
    public fileprivate(set) var waitSeconds = 0.0

    public init(
        split: any DatasetSplit, batchSize: Int, generator: RandomGenerator, shuffles: Bool = true,
        subset: SubsetRule = .all, prefetches: Bool = true
    ) throws(DatasetError) {
        guard batchSize >= 1 else { throw .invalidSetting("batch size \(batchSize) < 1") }
        var streams = generator
        state = BatcherState(shuffle: streams.split(), augmentation: streams.split())
        var subsetStream = streams.split()
        switch subset {
        case .all:
            sampleIndices = Array(0..<split.count)
        case let .first(n), let .sample(n):
            guard n >= 1 && n <= split.count else {
                throw .invalidSetting("subset of \(n) samples from \(split.identifier), which has \(split.count)")
            }
            sampleIndices = if case .first = subset { Array(0..<n) }
                            else { subsetStream.permutation(split.count).prefix(n).sorted() }
        }
        self.split = split
        self.batchSize = batchSize
        self.shuffles = shuffles
        self.prefetches = prefetches
    }

    public var sampleCount: Int { sampleIndices.count }
    public var batchesPerEpoch: Int { (sampleCount + batchSize - 1) / batchSize }

    /// Starts the next epoch: draws its order, splits off its augmentation stream and, when
    /// prefetching, starts decoding its first batch. Iterate the result once.
    public func nextEpoch() -> EpochBatches {
        let order = shuffles ? state.shuffle.permutation(sampleCount).map { sampleIndices[$0] } : sampleIndices
        let producer = BatchProducer(split: split, order: order, batchSize: batchSize,
                                     augmentation: state.augmentation.split())
        return EpochBatches(batcher: self, producer: producer, prefetches: prefetches)
    }
}

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

    fileprivate init(batcher: Batcher, producer: BatchProducer, prefetches: Bool) {
        self.batcher = batcher
        guard prefetches else {
            source = .inline(producer)
            return
        }
        let channel = BatchChannel()
        source = .background(channel)
        Thread {
            var producer = producer
            while let batch = producer.next() {
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
            batch = producer.next()
            source = .inline(producer)
        }
        let waited = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        waitSeconds += waited
        batcher.waitSeconds += waited
        return batch
    }
}

/// Decodes the batches of one epoch in order; runs on whichever thread calls `next()`.
struct BatchProducer: Sendable {
    let split: any DatasetSplit
    let order: [Int]
    let batchSize: Int
    var augmentation: RandomGenerator
    private var start = 0

    init(split: any DatasetSplit, order: [Int], batchSize: Int, augmentation: RandomGenerator) {
        self.split = split
        self.order = order
        self.batchSize = batchSize
        self.augmentation = augmentation
    }

    mutating func next() -> Batch? {
        guard start < order.count else { return nil }
        let indices = Array(order[start..<min(start + batchSize, order.count)])
        start += indices.count
        let inputs = Tensor(zeros: [indices.count] + split.sampleShape)
        let stride = split.sampleElementCount
        for (row, index) in indices.enumerated() {
            split.writeSample(index, to: inputs.pointer + row * stride, using: &augmentation)
        }
        let labels = split.labels
        return Batch(inputs: inputs, labels: indices.map { labels[$0] }, indices: indices)
    }
}
