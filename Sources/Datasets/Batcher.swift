import Foundation
import Tensor

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
    public internal(set) var waitSeconds = 0.0

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
