import Layers
import Tensor
import Testing

@Suite struct InitializationTests {
    /// L2 norm of every output unit: a linear row / conv filter weight[o, …] (unitAxis 0), or a
    /// transposed convolution's weight[:, o, :, :] (unitAxis 1), written with explicit indices.
    static func unitNorms(_ w: Tensor, unitAxis: Int) -> [Double] {
        let units = w.shape[unitAxis]
        var squares = [Double](repeating: 0, count: units)
        let strides = w.shape.indices.map { w.shape[($0 + 1)...].reduce(1, *) }
        for (flat, value) in w.scalars.enumerated() {
            squares[(flat / strides[unitAxis]) % units] += Double(value) * Double(value)
        }
        return squares.map { $0.squareRoot() }
    }

    static func layers(_ initialization: WeightInitialization, seed: UInt64) throws -> [any AffineLayer] {
        var g = RandomGenerator(seed: seed)
        return [
            Linear(inputFeatures: 20, outputFeatures: 7, initialization: initialization, generator: &g),
            try Conv2d(inputChannels: 3, outputChannels: 5, kernelSize: (3, 2), inputSize: (6, 6),
                       initialization: initialization, generator: &g),
            try ConvTranspose2d(inputChannels: 4, outputChannels: 6, kernelSize: (3, 3), stride: 2, padding: 1,
                                outputPadding: 1, inputSize: (4, 4), initialization: initialization, generator: &g),
        ]
    }

    @Test func uniformUnitNormGivesEveryOutputUnitUnitNorm() throws {
        for layer in try Self.layers(.uniformUnitNorm, seed: 7) {
            let unitAxis = layer is ConvTranspose2d ? 1 : 0
            let w = layer.weight.value
            #expect(Self.unitNorms(w, unitAxis: unitAxis).allSatisfy { abs($0 - 1) <= 1e-6 }, "\(layer)")
            // The other grouping is not normalised (the test distinguishes the axes).
            #expect(!Self.unitNorms(w, unitAxis: 1 - unitAxis).allSatisfy { abs($0 - 1) <= 1e-3 }, "\(layer)")
            #expect(w.scalars.allSatisfy { abs($0) <= 1 })
            #expect(layer.bias?.value.scalars.allSatisfy { $0 == 0 } ?? true, "\(layer)")
        }
    }

    @Test func pytorchDefaultDrawsWeightThenBiasFromUOfOneOverRootFanIn() throws {
        // PyTorch's fan_in = weight.count / weight.shape[0]: 20, 3·3·2 and (ConvTranspose2d) 6·3·3.
        let fanIns = [20, 18, 54]
        for (layer, fanIn) in zip(try Self.layers(.pytorchDefault, seed: 8), fanIns) {
            let bound = 1 / Float(fanIn).squareRoot()
            let values = layer.weight.value.scalars + (layer.bias?.value.scalars ?? [])
            #expect(values.allSatisfy { abs($0) <= bound }, "\(layer)")
            #expect(values.map(abs).max()! >= 0.8 * bound, "\(layer)")
        }
        // Element order: weight elements first, then bias elements, one draw each.
        var g = RandomGenerator(seed: 9)
        let layer = Linear(inputFeatures: 4, outputFeatures: 3, initialization: .pytorchDefault, generator: &g)
        var replay = RandomGenerator(seed: 9)
        let expected = (0..<15).map { _ in replay.nextUniform(in: -0.5..<0.5) }
        #expect(layer.weight.value.scalars + layer.bias!.value.scalars == expected)
        #expect(g == replay)
    }

    @Test(arguments: [WeightInitialization.uniformUnitNorm, .pytorchDefault])
    func reproducibleFromTheSeed(_ initialization: WeightInitialization) throws {
        func values(_ seed: UInt64) throws -> [[Float]] {
            try Self.layers(initialization, seed: seed).flatMap { $0.parameters.map(\.value.scalars) }
        }
        #expect(try values(3) == values(3))
        #expect(try values(3) != values(4))
    }
}
