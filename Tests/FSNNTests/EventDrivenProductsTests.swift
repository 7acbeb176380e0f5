import Layers
import Testing
import Tensor
import TestSupport
@testable import FSNN

/// The event-driven products equal the dense ones (relative 1e-5: only the order of the Float32
/// sums differs) for every layer kind and geometry the networks use, at every density from 0
/// (no event) to 1 (every input an event), on one and two workers.
@Suite struct EventDrivenProductsTests {
    static func layers() throws -> [(String, any AffineLayer)] {
        var g = RandomGenerator(seed: 17)
        func conv(_ i: Int, _ o: Int, k: Int, s: Int, p: Int, size: Int, bias: Bool) throws -> Conv2d {
            try Conv2d(inputChannels: i, outputChannels: o, kernelSize: (k, k), stride: s, padding: p, bias: bias,
                       inputSize: (size, size), initialization: .pytorchDefault, generator: &g)
        }
        return [
            ("Linear 13→7 with bias", Linear(inputFeatures: 13, outputFeatures: 7, initialization: .pytorchDefault, generator: &g)),
            ("Linear 40→37 without bias", Linear(inputFeatures: 40, outputFeatures: 37, bias: false, initialization: .pytorchDefault, generator: &g)),
            ("Linear 130→75 with bias (more than one register block of channels each way)",
             Linear(inputFeatures: 130, outputFeatures: 75, initialization: .pytorchDefault, generator: &g)),
            ("Conv2d 3→5 k5 s1 p2 on 7×7 (MNIST feedback pattern)", try conv(3, 5, k: 5, s: 1, p: 2, size: 7, bias: false)),
            ("Conv2d 67→70 k3 s1 p1 on 6×6 with bias (two channel blocks each way, ragged pixel tiles, at density 1 three chunks of terms)",
             try conv(67, 70, k: 3, s: 1, p: 1, size: 6, bias: true)),
            ("Conv2d 2→80 k3 s1 p1 on 30×30 (weight gradients in blocks of 64 channels: a sample's output gradients pass 256 KB)",
             try conv(2, 80, k: 3, s: 1, p: 1, size: 30, bias: false)),
            ("Conv2d 3→4 k3 s1 p1 on 20×20 (weight gradients in groups of 2 samples)",
             try conv(3, 4, k: 3, s: 1, p: 1, size: 20, bias: true)),
            ("Conv2d 4→33 k3 s2 p1 on 9×9 with bias (AlexNet-F L3 pattern)", try conv(4, 33, k: 3, s: 2, p: 1, size: 9, bias: true)),
            ("Conv2d 2→3 k5 s2 p0 on 11×11", try conv(2, 3, k: 5, s: 2, p: 0, size: 11, bias: true)),
            ("Conv2d 2→16 k5 s2 p1 on 10×10 (N-MNIST input pattern)", try conv(2, 16, k: 5, s: 2, p: 1, size: 10, bias: true)),
            ("ConvTranspose2d 5→3 k3 s2 p1 op1 4×4→8×8 (AlexNet-F feedback)",
             try ConvTranspose2d(inputChannels: 5, outputChannels: 3, kernelSize: (3, 3), stride: 2, padding: 1,
                                 outputPadding: 1, inputSize: (4, 4), initialization: .pytorchDefault, generator: &g)),
        ]
    }

    static let densities: [Float] = [0, 0.02, 0.1, 0.3, 1]

    /// Bernoulli(ρ) spikes (density 1: all ones).
    static func spikes(_ shape: [Int], density: Float, _ generator: inout RandomGenerator) -> Tensor {
        let s = Tensor(zeros: shape)
        for i in 0..<s.count { s.pointer[i] = generator.nextBernoulli(density) ? 1 : 0 }
        return s
    }

    /// U(−1, 1) values kept with probability ρ, exact zeros elsewhere.
    static func sparse(_ shape: [Int], density: Float, _ generator: inout RandomGenerator) -> Tensor {
        let x = Tensor(zeros: shape)
        for i in 0..<x.count where generator.nextBernoulli(density) { x.pointer[i] = generator.nextUniform() * 2 - 1 }
        return x
    }

    static func expectClose(_ ours: Tensor, _ dense: Tensor, _ what: String) {
        let error = relativeError(doubles(ours), doubles(dense))
        #expect(error <= 1e-5, "\(what): relative error \(error)")
    }

    /// The forwards and the adjoint with each kernel: input-stationary for every sample (crowded
    /// pixels from 0 events on) and output-stationary for every sample (from infinitely many).
    static let kernels: [(name: String, crowdedPixel: Float)] = [("input-stationary", 0), ("output-stationary", .infinity)]

    @Test(arguments: [1, 2], [0, 1])
    func everyProductEqualsTheDenseOne(workers: Int, kernel: Int) throws {
        try Parallel.withSettings(workers: workers) {
            var generator = RandomGenerator(seed: 5)
            for (name, layer) in try Self.layers() {
                let products = EventDrivenProducts(layer: layer)
                products.crowdedPixel = Self.kernels[kernel].crowdedPixel
                for density in Self.densities {
                    let label = "\(name), density \(density), \(workers) worker(s), \(Self.kernels[kernel].name)"
                    let s = Self.spikes([3] + layer.inputSampleShape, density: density, &generator)
                    let y = Tensor(repeating: .nan, shape: [3] + layer.outputSampleShape)
                    try products.forward(spikes: s, into: y)
                    Self.expectClose(y, try layer.forward(s), "forward, \(label)")

                    let gradient = Self.sparse([3] + layer.outputSampleShape, density: density, &generator)
                    let x = Tensor(repeating: .nan, shape: [3] + layer.inputSampleShape)
                    let denseX = Tensor(zeros: x.shape)
                    try products.adjoint(gradient, into: x)
                    try layer.applyTransposed(weight: layer.weight.value, to: gradient, into: denseX)
                    Self.expectClose(x, denseX, "adjoint, \(label)")

                    let dense = Tensor(repeating: 0.5, shape: layer.weight.shape), ours = dense.copy()
                    try layer.accumulateWeightGradient(input: s, outputGradient: gradient, into: dense)
                    try products.accumulateWeightGradient(spikes: s, outputGradient: gradient, into: ours)
                    Self.expectClose(ours, dense, "weight gradient, \(label)")

                    let a = Self.sparse([3] + layer.inputSampleShape, density: density, &generator)
                    try products.forward(sparse: a, into: y)
                    Self.expectClose(y, try layer.forward(a), "sparse forward, \(label)")
                    let denseAtA = Tensor(repeating: -0.25, shape: layer.weight.shape), oursAtA = denseAtA.copy()
                    try layer.accumulateWeightGradient(input: a, outputGradient: gradient, into: denseAtA)
                    try products.accumulateWeightGradient(sparse: a, outputGradient: gradient, into: oursAtA)
                    Self.expectClose(oursAtA, denseAtA, "sparse weight gradient, \(label)")
                }
            }
        }
    }

    /// The two kernels of the forwards and the adjoint add in the same order (bias, input pixels
    /// ascending, channels ascending), so they give the same bits.
    @Test func bothKernelsGiveTheSameBits() throws {
        var generator = RandomGenerator(seed: 11)
        for (name, layer) in try Self.layers() {
            let products = EventDrivenProducts(layer: layer)
            for density in Self.densities {
                let s = Self.spikes([3] + layer.inputSampleShape, density: density, &generator)
                let a = Self.sparse([3] + layer.inputSampleShape, density: density, &generator)
                let dy = Self.sparse([3] + layer.outputSampleShape, density: density, &generator)
                let results = try Self.kernels.map { _, crowdedPixel in
                    products.crowdedPixel = crowdedPixel
                    let y = Tensor(repeating: .nan, shape: [3] + layer.outputSampleShape), z = y.copy()
                    let x = Tensor(repeating: .nan, shape: [3] + layer.inputSampleShape)
                    try products.forward(spikes: s, into: y)
                    try products.forward(sparse: a, into: z)
                    try products.adjoint(dy, into: x)
                    return [y.scalars, z.scalars, x.scalars]
                }
                #expect(results[0] == results[1], "\(name), density \(density)")
            }
        }
    }

    /// A changed weight is read at the first product after `prepare`, and not before.
    @Test func readsTheWeightAtTheFirstProductAfterPrepare() throws {
        var generator = RandomGenerator(seed: 8)
        let layer = Linear(inputFeatures: 6, outputFeatures: 4, initialization: .pytorchDefault, generator: &generator)
        let products = EventDrivenProducts(layer: layer)
        let spikes = try Tensor(shape: [1, 6], values: [1, 0, 0, 1, 0, 1])
        let before = try layer.forward(spikes)
        let first = Tensor(zeros: [1, 4]), stale = Tensor(zeros: [1, 4]), fresh = Tensor(zeros: [1, 4])
        products.prepare()
        try products.forward(spikes: spikes, into: first)
        layer.weight.value.scale(by: 2)
        try products.forward(spikes: spikes, into: stale)
        products.prepare()
        try products.forward(spikes: spikes, into: fresh)
        #expect(relativeError(doubles(first), doubles(before)) <= 1e-6)
        #expect(stale.scalars == first.scalars)
        #expect(relativeError(doubles(fresh), doubles(try layer.forward(spikes))) <= 1e-6)
    }

    /// Wrong operand shapes are typed errors naming the layer.
    @Test func wrongShapesAreTypedErrors() throws {
        var generator = RandomGenerator(seed: 9)
        let layer = Linear(inputFeatures: 6, outputFeatures: 4, initialization: .pytorchDefault, generator: &generator)
        let products = EventDrivenProducts(layer: layer)
        #expect(throws: TensorError.self) { try products.forward(spikes: Tensor(zeros: [2, 5]), into: Tensor(zeros: [2, 4])) }
        #expect(throws: TensorError.self) { try products.adjoint(Tensor(zeros: [2, 4]), into: Tensor(zeros: [3, 6])) }
        #expect(throws: TensorError.self) {
            try products.accumulateWeightGradient(spikes: Tensor(zeros: [2, 6]), outputGradient: Tensor(zeros: [2, 4]),
                                                  into: Tensor(zeros: [6, 4]))
        }
    }
}
