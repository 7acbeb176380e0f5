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
