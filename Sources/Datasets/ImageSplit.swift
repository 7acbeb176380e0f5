import Tensor

/// A split of 8-bit images (MNIST, Fashion-MNIST, CIFAR) kept as C × H × W bytes per sample and
/// decoded to normalised Floats, optionally augmented, when a sample is written.
public struct ImageSplit: DatasetSplit {
    public let identifier: String
    public let labels: [Int]
    public let classCount: Int
    /// [C, H, W]
    public let sampleShape: [Int]
    public let normalization: ChannelNormalization
    /// Training augmentation, nil for none.
    public let augmentation: RandomCropFlip?
    /// N × C × H × W pixel bytes.
    private let pixels: [UInt8]
    /// The Float value of every byte per channel: `levels[c * 256 + byte]`.
    private let levels: [Float]

    public init(
        identifier: String, pixels: [UInt8], labels: [Int], classCount: Int, sampleShape: [Int],
        normalization: ChannelNormalization, augmentation: RandomCropFlip? = nil
    ) {
        precondition(sampleShape.count == 3 && pixels.count == labels.count * sampleShape.reduce(1, *),
                     "\(pixels.count) pixel bytes do not hold \(labels.count) images of \(sampleShape)")
        precondition(normalization.mean.count == sampleShape[0], "one mean and std per channel")
        self.identifier = identifier
        self.pixels = pixels
        self.labels = labels
        self.classCount = classCount
        self.sampleShape = sampleShape
        self.normalization = normalization
        self.augmentation = augmentation
        levels = normalization.levels()
    }

    public var isAugmented: Bool { augmentation != nil }

    public func writeSample(_ index: Int, to destination: UnsafeMutablePointer<Float>, using generator: inout RandomGenerator) {
        let placement = augmentation?.draw(using: &generator) ?? .identity
        let (channels, height, width) = (sampleShape[0], sampleShape[1], sampleShape[2])
        pixels.withUnsafeBufferPointer { pixels in
            levels.withUnsafeBufferPointer { levels in
                var source = pixels.baseAddress! + index * channels * height * width
                var output = destination
                for channel in 0..<channels {
                    let level = levels.baseAddress! + 256 * channel
                    placement.write(source, height: height, width: width, levels: level, to: output)
                    source += height * width
                    output += height * width
                }
            }
        }
    }
}
