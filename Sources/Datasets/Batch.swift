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
