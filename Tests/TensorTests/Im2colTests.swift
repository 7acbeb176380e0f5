import Tensor
import TestSupport
import Testing

/// `ConvolutionGeometry.im2col` / `col2im` against naive loops, and their adjointness. The cases
/// cover both code paths: stride 1 with outW = W (one shifted loop per row) and the general
/// per-output-row loops (strides 2 and 3, stride 1 with outW ≠ W).
@Suite struct Im2colTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let channels, height, width, kernelHeight, kernelWidth, stride, padding: Int
        var testDescription: String {
            "\(channels)×\(height)×\(width) k\(kernelHeight)×\(kernelWidth) s\(stride) p\(padding)"
        }
        var geometry: ConvolutionGeometry {
            try! ConvolutionGeometry(channels: channels, height: height, width: width, kernelHeight: kernelHeight,
                                     kernelWidth: kernelWidth, stride: stride, padding: padding)
        }
    }

    static let cases = [
        Case(channels: 2, height: 5, width: 7, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        Case(channels: 3, height: 9, width: 8, kernelHeight: 3, kernelWidth: 2, stride: 2, padding: 0),
        Case(channels: 1, height: 11, width: 11, kernelHeight: 5, kernelWidth: 5, stride: 2, padding: 2),
        Case(channels: 2, height: 6, width: 7, kernelHeight: 4, kernelWidth: 4, stride: 3, padding: 2),
        Case(channels: 2, height: 4, width: 4, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0),
        Case(channels: 1, height: 3, width: 3, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2),
        Case(channels: 2, height: 6, width: 5, kernelHeight: 2, kernelWidth: 3, stride: 1, padding: 0),
        Case(channels: 2, height: 7, width: 6, kernelHeight: 5, kernelWidth: 3, stride: 1, padding: 1),
        Case(channels: 3, height: 14, width: 14, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2),
    ]

    /// The image element that column entry [row, pixel] reads, or nil for zero padding.
    static func source(_ g: ConvolutionGeometry, row: Int, pixel: Int) -> Int? {
        let c = row / (g.kernelHeight * g.kernelWidth)
        let ky = row / g.kernelWidth % g.kernelHeight, kx = row % g.kernelWidth
        let oy = pixel / g.outputWidth, ox = pixel % g.outputWidth
        let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
        guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { return nil }
        return (c * g.height + iy) * g.width + ix
    }

    /// Two images side by side in one column matrix whose rows are 3 entries longer than needed;
    /// the spare entries must keep their sentinel.
    @Test(arguments: cases)
    func im2colCopiesPatchesIntoPlace(_ c: Case) {
        let g = c.geometry, p = g.outputPixels, ld = 2 * p + 3
        var generator = RandomGenerator(seed: 41)
        let images = randomTensor([2, g.imageSize], &generator)
        let sentinel: Float = 99
        let columns = Tensor(repeating: sentinel, shape: [g.patchSize, ld])
        for n in 0..<2 {
            g.im2col(image: images.pointer + n * g.imageSize, columns: columns.pointer, columnOffset: n * p, ldColumns: ld)
        }
        var expected = [Float](repeating: sentinel, count: g.patchSize * ld)
        for row in 0..<g.patchSize {
            for n in 0..<2 {
                for pixel in 0..<p {
                    expected[row * ld + n * p + pixel] = Self.source(g, row: row, pixel: pixel).map { images[n, $0] } ?? 0
                }
            }
        }
        #expect(columns.scalars == expected)
    }

    @Test(arguments: cases)
    func col2imAddsEveryEntryBackIntoPlace(_ c: Case) {
        let g = c.geometry, p = g.outputPixels, ld = 2 * p + 3
        var generator = RandomGenerator(seed: 42)
        let columns = randomTensor([g.patchSize, ld], &generator)
        let image = randomTensor([g.imageSize], &generator)
        var expected = doubles(image)
        for row in 0..<g.patchSize {
            for pixel in 0..<p {
                if let i = Self.source(g, row: row, pixel: pixel) { expected[i] += Double(columns[row, p + pixel]) }
            }
        }
        g.col2im(columns: columns.pointer, image: image.pointer, columnOffset: p, ldColumns: ld)
        #expect(relativeError(doubles(image), expected) <= 1e-6)
    }

    /// ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩, accumulated in Float64 from the Float32 results. The
    /// difference is measured against Σ |terms| = ⟨im2col(|x|), |c|⟩, the scale of the rounding
    /// errors (the inner products themselves can cancel to near zero), and must stay below 1e-6.
    @Test(arguments: cases)
    func col2imIsTheAdjointOfIm2col(_ c: Case) {
        let g = c.geometry
        var generator = RandomGenerator(seed: 43)
        let x = randomTensor([g.imageSize], &generator), columns = randomTensor([g.patchSize, g.outputPixels], &generator)
        let patches = Tensor(zeros: columns.shape), back = Tensor(zeros: x.shape)
        g.im2col(image: x.pointer, columns: patches.pointer)
        g.col2im(columns: columns.pointer, image: back.pointer)
        let left = zip(patches.scalars, columns.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x.scalars, back.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        let scale = zip(patches.scalars, columns.scalars).reduce(0) { $0 + Double(abs($1.0)) * Double(abs($1.1)) }
        #expect(scale > 0)
        #expect(abs(left - right) <= 1e-6 * scale, "⟨im2col x, c⟩ = \(left), ⟨x, col2im c⟩ = \(right)")
    }

    @Test func rejectsKernelsLargerThanThePaddedImage() {
        #expect(throws: TensorError.self) {
            _ = try ConvolutionGeometry(channels: 1, height: 3, width: 3, kernelHeight: 6, kernelWidth: 3, padding: 1)
        }
        #expect(throws: TensorError.self) {
            _ = try ConvolutionGeometry(channels: 1, height: 3, width: 3, kernelHeight: 3, kernelWidth: 3, stride: 0)
        }
    }
}
