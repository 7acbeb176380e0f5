import Foundation
import Tensor

/// Cuts a split into mini-batches, epoch by epoch: a seeded permutation per epoch for training, one
/// fixed seeded class-stratified order for evaluation; batches of `batchSize` with the last partial
/// batch kept, samples decoded (and augmented) on a background thread one batch ahead of the
/// consumer.
///
/// Which samples, in which order (never file order, which is sorted by label in N-MNIST):
/// - training (`shuffles`): all samples, or the `.stratified(n)` subset, kept in index order
///   and permuted afresh every epoch;
/// - evaluation: the split's `stratifiedOrder`, or its first n for `.stratified(n)`, the same
///   every epoch; a consumer that stops after k batches has still seen every class in proportion.
///
/// Reproducibility: the generator passed in is split into independent streams for shuffling,
/// augmentation and the stratified order. Each epoch draws its permutation and splits off its own
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
    /// Whether each epoch uses a fresh permutation (training) or the fixed stratified order
    /// (evaluation).
    public let shuffles: Bool
    /// Whether batches are decoded on a background thread ahead of the consumer.
    public let prefetches: Bool
    /// The split indices the batcher draws from: for training all or the subset in index order,
    /// for evaluation the order batches visit them in.
    public let sampleIndices: [Int]
    /// The random state; read it at an epoch boundary to checkpoint, assign it to resume.
    public var state: BatcherState
    /// Total seconds the consumer waited for batches, over all epochs.
    public internal(set) var waitSeconds = 0.0

    public convenience init(
        split: any DatasetSplit, batchSize: Int, generator: RandomGenerator, shuffles: Bool = true,
        subset: SubsetRule = .all, prefetches: Bool = true
    ) throws(DatasetError) {
        var streams = generator
        let state = BatcherState(shuffle: streams.split(), augmentation: streams.split())
        var orderStream = streams.split()
        let indices: [Int]
        switch subset {
        case .all where shuffles:
            indices = Array(0..<split.count)
        case .all:
            indices = split.stratifiedOrder(using: &orderStream)
        case let .stratified(n):
            guard n >= 1 && n <= split.count else {
                throw .invalidSetting("subset of \(n) samples from \(split.identifier), which has \(split.count)")
            }
            let chosen = split.stratifiedOrder(using: &orderStream).prefix(n)
            indices = shuffles ? chosen.sorted() : Array(chosen)
        }
        try self.init(split: split, batchSize: batchSize, sampleIndices: indices, state: state, shuffles: shuffles,
                      prefetches: prefetches)
    }

    /// A batcher over given samples: for evaluation in the order given (another batcher's
    /// `sampleIndices`, to visit the same samples), for training permuted every epoch.
    public convenience init(
        split: any DatasetSplit, batchSize: Int, sampleIndices: [Int], generator: RandomGenerator,
        shuffles: Bool = false, prefetches: Bool = true
    ) throws(DatasetError) {
        var streams = generator
        let state = BatcherState(shuffle: streams.split(), augmentation: streams.split())
        try self.init(split: split, batchSize: batchSize, sampleIndices: sampleIndices, state: state, shuffles: shuffles,
                      prefetches: prefetches)
    }

    private init(split: any DatasetSplit, batchSize: Int, sampleIndices: [Int], state: BatcherState, shuffles: Bool,
                 prefetches: Bool) throws(DatasetError) {
        guard batchSize >= 1 else { throw .invalidSetting("batch size \(batchSize) < 1") }
        guard !sampleIndices.isEmpty else { throw .invalidSetting("no samples of \(split.identifier) selected") }
        if let outside = sampleIndices.first(where: { !(0..<split.count).contains($0) }) {
            throw .invalidSetting("sample \(outside) is outside \(split.identifier), which has \(split.count)")
        }
        self.split = split
        self.batchSize = batchSize
        self.sampleIndices = sampleIndices
        self.state = state
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
