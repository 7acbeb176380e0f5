import Datasets
import Tensor
import Testing

@Suite struct ImageSplitTests {
    let mean = [0.4914, 0.4822, 0.4465], std = [0.2023, 0.1994, 0.2010]

    func cifarSplit(count: Int, augmented: Bool) -> ImageSplit {
        ImageSplit(identifier: "test", pixels: testBytes(count * 3072, seed: 31), labels: (0..<count).map { $0 % 10 },
                   classCount: 10, sampleShape: [3, 32, 32], normalization: .cifar,
                   augmentation: augmented ? RandomCropFlip(padding: 4) : nil)
    }

    /// Normalised pixels against a Float64 reference: (byte/255 − mean)/std per channel. The split
    /// computes in Float32 (as torchvision does), so it agrees to Float32 rounding: |Δ| ≤ 1e-6·|v| + 1e-6.
    @Test func normalisationMatchesFloat64Reference() {
        let split = cifarSplit(count: 3, augmented: false)
        let pixels = testBytes(3 * 3072, seed: 31)
        var generator = RandomGenerator(seed: 1)
        for index in 0..<3 {
            let sample = split.sample(index, using: &generator).scalars
            for element in 0..<3072 {
                let channel = element / 1024
                let reference = (Double(pixels[index * 3072 + element]) / 255 - mean[channel]) / std[channel]
                #expect(abs(Double(sample[element]) - reference) <= 1e-6 * abs(reference) + 1e-6)
            }
        }
    }

    @Test func mnistNormalisationMatchesFloat64Reference() {
        let bytes: [UInt8] = Array(0...255) + [UInt8](repeating: 0, count: 784 - 256)
        let split = ImageSplit(identifier: "test", pixels: bytes, labels: [3], classCount: 10,
                               sampleShape: [1, 28, 28], normalization: .mnist)
        var generator = RandomGenerator(seed: 1)
        let sample = split.sample(0, using: &generator).scalars
        for (value, byte) in zip(sample, bytes) {
            let reference = (Double(byte) / 255 - 0.1307) / 0.3081
            #expect(abs(Double(value) - reference) <= 1e-6 * abs(reference) + 1e-6)
        }
        #expect(!split.isAugmented && split.labels == [3] && split.sampleShape == [1, 28, 28])
    }

    /// Each augmented sample equals a naive Float64 construction: pad the normalised image with
    /// normalised black by 4 pixels, cut the 32 × 32 window at (top, left), mirror when flipped.
    /// The placement is recovered by replaying the generator, so the test also pins the draw order.
    @Test func augmentationMatchesNaivePadCropFlip() {
        let split = cifarSplit(count: 50, augmented: true)
        let pixels = testBytes(50 * 3072, seed: 31)
        var generator = RandomGenerator(seed: 5), replay = generator
        var flips = 0
        for index in 0..<50 {
            let sample = split.sample(index, using: &generator).scalars
            let placement = RandomCropFlip(padding: 4).draw(using: &replay)
            if placement.flipped { flips += 1 }
            for c in 0..<3 {
                let black = (0 - mean[c]) / std[c]
                var padded = [[Double]](repeating: [Double](repeating: black, count: 40), count: 40)
                for r in 0..<32 {
                    for col in 0..<32 {
                        padded[r + 4][col + 4] = (Double(pixels[index * 3072 + c * 1024 + r * 32 + col]) / 255 - mean[c]) / std[c]
                    }
                }
                for y in 0..<32 {
                    for x in 0..<32 {
                        let reference = padded[y + placement.top][(placement.flipped ? 31 - x : x) + placement.left]
                        let value = Double(sample[c * 1024 + y * 32 + x])
                        #expect(abs(value - reference) <= 1e-6 * abs(reference) + 1e-6, "sample \(index) (\(c), \(y), \(x))")
                    }
                }
            }
        }
        #expect(generator == replay, "one placement per sample, nothing else drawn")
        #expect(flips > 10 && flips < 40, "about half of 50 samples are flipped")
    }

    /// Offsets cover 0…8 in both directions and flips happen about half the time.
    @Test func placementsCoverEveryOffset() {
        var generator = RandomGenerator(seed: 9)
        var tops = Set<Int>(), lefts = Set<Int>(), flips = 0
        for _ in 0..<2000 {
            let placement = RandomCropFlip(padding: 4).draw(using: &generator)
            tops.insert(placement.top)
            lefts.insert(placement.left)
            if placement.flipped { flips += 1 }
        }
        #expect(tops == Set(0...8) && lefts == Set(0...8))
        // Binomial(2000, 1/2): standard deviation ≈ 22, so ±150 is about 7σ.
        #expect(abs(flips - 1000) < 150)
    }

    @Test func augmentationIsDeterministicForASeedAndDiffersAcrossSeeds() {
        let split = cifarSplit(count: 8, augmented: true)
        func samples(seed: UInt64) -> [[Float]] {
            var generator = RandomGenerator(seed: seed)
            return (0..<8).map { split.sample($0, using: &generator).scalars }
        }
        #expect(samples(seed: 42) == samples(seed: 42))
        #expect(samples(seed: 42) != samples(seed: 43))
    }
}
