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

/// Per-channel normalisation after scaling bytes to [0, 1]: (byte / 255 − mean[c]) / std[c], in
/// Float32 as torchvision's ToTensor + Normalize compute it.
public struct ChannelNormalization: Equatable, Sendable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "one mean per std")
        self.mean = mean
        self.std = std
    }

    /// MNIST's constants, used for Fashion-MNIST too (spec §7, §8.1).
    public static let mnist = ChannelNormalization(mean: [0.1307], std: [0.3081])
    /// CIFAR-10/100 (spec §7).
    public static let cifar = ChannelNormalization(mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010])

    /// The normalised value of every byte, channel-major: `levels()[c * 256 + byte]`.
    func levels() -> [Float] {
        zip(mean, std).flatMap { mean, std in (0..<256).map { (Float($0) / 255 - mean) / std } }
    }
}
