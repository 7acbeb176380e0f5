import Tensor

/// CIFAR training augmentation (spec §8.2): torchvision's RandomCrop(32, padding: 4) followed by
/// RandomHorizontalFlip(0.5). The image is padded with black pixels (byte 0, before
/// normalisation, as torchvision pads the PIL image), a window of the original size is cut out at
/// a random offset, and the window is mirrored left–right with probability 1/2.
public struct RandomCropFlip: Equatable, Sendable {
    /// Pixels added on each side before cropping.
    public let padding: Int

    public init(padding: Int = 4) {
        precondition(padding >= 0, "negative padding")
        self.padding = padding
    }

    /// Where one augmented sample is cut from its padded image.
    public struct Placement: Equatable, Sendable {
        /// Offsets of the crop window in the padded image, each in 0...2·padding.
        public let top: Int
        public let left: Int
        public let flipped: Bool
        let padding: Int

        /// The unaugmented image.
        static let identity = Placement(top: 0, left: 0, flipped: false, padding: 0)

        /// Writes one H × W channel: output(y, x) = padded(y + top, x′ + left) with x′ = W − 1 − x
        /// when flipped, else x; padded(r, c) = image(r − p, c − p) inside the image, byte 0
        /// outside. `levels` maps a byte to its Float value.
        func write(_ image: UnsafePointer<UInt8>, height: Int, width: Int, levels: UnsafePointer<Float>,
                   to output: UnsafeMutablePointer<Float>) {
            let black = levels[0]
            for y in 0..<height {
                let out = output + y * width
                let row = y + top - padding
                guard row >= 0 && row < height else {
                    VectorKernels.fill(out, width, black)
                    continue
                }
                let source = image + row * width
                for x in 0..<width {
                    let column = (flipped ? width - 1 - x : x) + left - padding
                    out[x] = column >= 0 && column < width ? levels[Int(source[column])] : black
                }
            }
        }
    }

    /// Draws top, then left (each uniform in 0...2·padding), then the flip (a uniform u < 1/2),
    /// in torchvision's order.
    public func draw(using generator: inout RandomGenerator) -> Placement {
        let top = generator.nextInt(below: 2 * padding + 1)
        let left = generator.nextInt(below: 2 * padding + 1)
        let flipped = generator.nextUniform() < 0.5
        return Placement(top: top, left: left, flipped: flipped, padding: padding)
    }
}
