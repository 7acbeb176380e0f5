import Layers
import Testing
import Tensor
import TestSupport
@testable import FSNN

/// The spike-driven forward equals the layer's dense forward on binary inputs (relative 1e-5:
/// only the order of the Float32 sums differs), for every layer kind and geometry the networks
/// feed spikes into, on one and two workers.
@Suite struct SpikeDrivenProductTests {
    static func layers() throws -> [(String, any AffineLayer)] {
        var g = RandomGenerator(seed: 17)
        func conv(_ i: Int, _ o: Int, k: Int, s: Int, p: Int, size: Int, bias: Bool) throws -> Conv2d {
            try Conv2d(inputChannels: i, outputChannels: o, kernelSize: (k, k), stride: s, padding: p, bias: bias,
                       inputSize: (size, size), initialization: .pytorchDefault, generator: &g)
        }
        return [
            ("Linear 13→7 with bias", Linear(inputFeatures: 13, outputFeatures: 7, initialization: .pytorchDefault, generator: &g)),
            ("Linear 9→9 without bias", Linear(inputFeatures: 9, outputFeatures: 9, bias: false, initialization: .pytorchDefault, generator: &g)),
            ("Conv2d 3→5 k5 s1 p2 on 7×7 (MNIST feedback pattern)", try conv(3, 5, k: 5, s: 1, p: 2, size: 7, bias: false)),
            ("Conv2d 4→6 k3 s2 p1 on 9×9 with bias (AlexNet-F L3 pattern)", try conv(4, 6, k: 3, s: 2, p: 1, size: 9, bias: true)),
            ("Conv2d 2→3 k5 s2 p0 on 11×11", try conv(2, 3, k: 5, s: 2, p: 0, size: 11, bias: true)),
            ("ConvTranspose2d 5→3 k3 s2 p1 op1 4×4→8×8 (AlexNet-F feedback)",
             try ConvTranspose2d(inputChannels: 5, outputChannels: 3, kernelSize: (3, 3), stride: 2, padding: 1,
                                 outputPadding: 1, inputSize: (4, 4), initialization: .pytorchDefault, generator: &g)),
        ]
    }

    @Test(arguments: [1, 2])
    func equalsTheDenseForward(workers: Int) throws {
        try Parallel.withSettings(workers: workers) { try compareWithDenseForward() }
    }

    private func compareWithDenseForward() throws {
        var generator = RandomGenerator(seed: 5)
        for (name, layer) in try Self.layers() {
            let product = SpikeDrivenProduct(layer: layer)
            let spikes = Tensor(zeros: [3] + layer.inputSampleShape)
            for i in 0..<spikes.count { spikes.pointer[i] = generator.nextBernoulli(0.15) ? 1 : 0 }
            let dense = try layer.forward(spikes)
            let sparse = Tensor(repeating: .nan, shape: dense.shape)
            try product.forward(spikes, into: sparse, density: 0.15)
            let error = relativeError(sparse.scalars.map(Double.init), dense.scalars.map(Double.init))
            #expect(error <= 1e-5, "\(name): relative error \(error)")
        }
    }

    @Test func readsTheWeightAtTheFirstForwardAfterPrepare() throws {
        var generator = RandomGenerator(seed: 8)
        let layer = Linear(inputFeatures: 6, outputFeatures: 4, initialization: .pytorchDefault, generator: &generator)
        let product = SpikeDrivenProduct(layer: layer)
        let spikes = try Tensor(shape: [1, 6], values: [1, 0, 0, 1, 0, 1])
        let before = try layer.forward(spikes)
        let first = Tensor(zeros: [1, 4]), stale = Tensor(zeros: [1, 4]), fresh = Tensor(zeros: [1, 4])
        product.prepare()
        try product.forward(spikes, into: first, density: 0)
        layer.weight.value.scale(by: 2)
        try product.forward(spikes, into: stale, density: 0)
        product.prepare()
        try product.forward(spikes, into: fresh, density: 0)
        #expect(relativeError(first.scalars.map(Double.init), before.scalars.map(Double.init)) <= 1e-6)
        #expect(stale.scalars == first.scalars)
        #expect(relativeError(fresh.scalars.map(Double.init), try layer.forward(spikes).scalars.map(Double.init)) <= 1e-6)
    }

    @Test func densityAtTheLimitUsesTheDenseForward() throws {
        var generator = RandomGenerator(seed: 2)
        let layer = Linear(inputFeatures: 5, outputFeatures: 3, initialization: .pytorchDefault, generator: &generator)
        let product = SpikeDrivenProduct(layer: layer)
        let spikes = try Tensor(shape: [1, 5], values: [1, 1, 0, 1, 1])
        let y = Tensor(zeros: [1, 3])
        try product.forward(spikes, into: y, density: product.densityLimit)
        #expect(y.scalars == (try layer.forward(spikes)).scalars)
    }
}
