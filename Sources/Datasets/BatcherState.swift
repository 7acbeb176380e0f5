import Tensor

/// The batcher's random state at an epoch boundary: store it with a checkpoint and assign it back
/// (to a batcher made with the same split, seed and subset) to resume with identical batches.
public struct BatcherState: Codable, Equatable, Sendable {
    /// Draws each epoch's permutation.
    public var shuffle: RandomGenerator
    /// Each epoch's augmentation stream is split off this generator.
    public var augmentation: RandomGenerator
}
