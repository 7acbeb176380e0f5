import Tensor

/// One split (train or test) of a dataset, decoded into memory in compact form, behind the one
/// interface the batcher and trainers use whatever the file format.
///
/// Sample shapes: [1, 28, 28] (MNIST, Fashion-MNIST), [3, 32, 32] (CIFAR), [T, 2, 34, 34]
/// (N-MNIST). Splits are immutable values and safe to read from a background thread.
public protocol DatasetSplit: Sendable {
    /// "<dataset>/<split>", e.g. "mnist/train", for messages and result files.
    var identifier: String { get }
    /// Shape of one sample, without the batch axis.
    var sampleShape: [Int] { get }
    /// Number of classes; labels are 0..<classCount.
    var classCount: Int { get }
    /// The label of every sample, in sample order.
    var labels: [Int] { get }
    /// Whether `writeSample` applies random augmentation (and so draws from its generator).
    var isAugmented: Bool { get }

    /// Writes sample `index` as `sampleShape` Floats (normalised, augmented when `isAugmented`)
    /// to `destination`. Augmentation draws come from `generator`; splits without augmentation
    /// leave it untouched.
    func writeSample(_ index: Int, to destination: UnsafeMutablePointer<Float>, using generator: inout RandomGenerator)
}

extension DatasetSplit {
    /// Number of samples.
    public var count: Int { labels.count }

    /// Floats per sample, the product of `sampleShape`.
    public var sampleElementCount: Int { sampleShape.reduce(1, *) }

    /// Samples per label, indexed by label.
    public var labelHistogram: [Int] {
        var histogram = [Int](repeating: 0, count: classCount)
        for label in labels { histogram[label] += 1 }
        return histogram
    }

    /// Sample `index` as a tensor of `sampleShape` (for tests and inspection; the batcher writes
    /// whole batches).
    public func sample(_ index: Int, using generator: inout RandomGenerator) -> Tensor {
        let tensor = Tensor(zeros: sampleShape)
        writeSample(index, to: tensor.pointer, using: &generator)
        return tensor
    }
}
