import Layers
import Tensor
import TestSupport
import Testing

@Suite struct Conv2dTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let batch, inputChannels, outputChannels, height, width, kernelHeight, kernelWidth, stride, padding: Int
        let bias: Bool
        var testDescription: String {
            "N\(batch) \(inputChannels)→\(outputChannels) \(height)×\(width) k\(kernelHeight)×\(kernelWidth) "
                + "s\(stride) p\(padding)\(bias ? "" : " no bias")"
        }

        func layer(_ generator: inout RandomGenerator) throws -> Conv2d {
            try Conv2d(inputChannels: inputChannels, outputChannels: outputChannels,
                       kernelSize: (kernelHeight, kernelWidth), stride: stride, padding: padding, bias: bias,
                       inputSize: (height, width), initialization: .uniformUnitNorm, generator: &generator)
        }

        var reference: ReferenceLayer {
            .conv2d(batch: batch, inputChannels: inputChannels, outputChannels: outputChannels, height: height,
                    width: width, kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: stride,
                    padding: padding, bias: bias)
        }
    }

    @Test(arguments: [
        Case(batch: 1, inputChannels: 3, outputChannels: 4, height: 7, width: 5, kernelHeight: 3, kernelWidth: 3,
             stride: 1, padding: 1, bias: true),
        Case(batch: 3, inputChannels: 2, outputChannels: 5, height: 9, width: 8, kernelHeight: 3, kernelWidth: 2,
             stride: 2, padding: 0, bias: true),
        Case(batch: 3, inputChannels: 3, outputChannels: 2, height: 11, width: 9, kernelHeight: 5, kernelWidth: 5,
             stride: 2, padding: 2, bias: false),
        Case(batch: 2, inputChannels: 1, outputChannels: 3, height: 6, width: 7, kernelHeight: 4, kernelWidth: 4,
             stride: 3, padding: 1, bias: true),
        Case(batch: 3, inputChannels: 2, outputChannels: 2, height: 5, width: 5, kernelHeight: 1, kernelWidth: 1,
             stride: 1, padding: 0, bias: true),
    ])
    func matchesFloat64ReferenceAndFiniteDifferences(_ c: Case) throws {
        var generator = RandomGenerator(seed: 2)
        let layer = try c.layer(&generator)
        try checkAgainstReference(layer, c.reference, batch: c.batch, seed: 12)
    }

    @Test func outputShapeFollowsPyTorch() throws {
        var generator = RandomGenerator(seed: 1)
        let layer = try Conv2d(inputChannels: 1, outputChannels: 64, kernelSize: (5, 5), stride: 2, padding: 2,
                               inputSize: (28, 28), initialization: .uniformUnitNorm, generator: &generator)
        #expect(layer.inputSampleShape == [1, 28, 28])
        #expect(layer.outputSampleShape == [64, 14, 14])
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
        #expect(layer.weight.shape == [64, 1, 5, 5])
        #expect(layer.multiplyAddsPerSample == 64 * 25 * 14 * 14)
    }

    @Test func rejectsWrongShapesNamingGivenAndExpected() throws {
        var generator = RandomGenerator(seed: 1)
        let layer = try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: (3, 3), padding: 1,
                               inputSize: (5, 4), initialization: .uniformUnitNorm, generator: &generator)
        let name = layer.description
        #expect(throws: TensorError.shapeMismatch(operation: "\(name) input", lhs: [3, 2, 5, 5], rhs: [3, 2, 5, 4])) {
            try layer.forward(Tensor(zeros: [3, 2, 5, 5]))
        }
        #expect(throws: TensorError.shapeMismatch(operation: "\(name) output", lhs: [3, 3, 4, 5], rhs: [3, 3, 5, 4])) {
            try layer.forward(Tensor(zeros: [3, 2, 5, 4]), into: Tensor(zeros: [3, 3, 4, 5]))
        }
        #expect(throws: TensorError.shapeMismatch(operation: "\(name) output gradient", lhs: [2, 3, 5, 4],
                                                  rhs: [3, 3, 5, 4])) {
            try layer.backward(input: Tensor(zeros: [3, 2, 5, 4]), outputGradient: Tensor(zeros: [2, 3, 5, 4]),
                               inputGradient: nil)
        }
        #expect(throws: TensorError.invalidShape(
            operation: "convolution k7×7 s1 p1", shape: [2, 5, 4],
            reason: "kernel larger than the padded image")) {
            _ = try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: (7, 7), padding: 1, inputSize: (5, 4),
                           initialization: .uniformUnitNorm, generator: &generator)
        }
    }

    @Test func backwardWithAWrongInputGradientShapeWritesNothing() throws {
        var generator = RandomGenerator(seed: 1)
        let layer = try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: (3, 3), inputSize: (5, 5),
                               initialization: .uniformUnitNorm, generator: &generator)
        let x = tensor([1, 2, 5, 5], uniformValues(50, &generator))
        let dy = Tensor(repeating: 1, shape: [1, 3, 3, 3])
        #expect(throws: TensorError.self) {
            try layer.backward(input: x, outputGradient: dy, inputGradient: Tensor(zeros: [1, 2, 5, 4]))
        }
        #expect(layer.weight.gradient.scalars.allSatisfy { $0 == 0 })
        #expect(layer.bias!.gradient.scalars.allSatisfy { $0 == 0 })
    }

    @Test func gradientsAccumulateUntilZeroed() throws {
        var generator = RandomGenerator(seed: 1)
        let layer = try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: (3, 3), stride: 2, padding: 1,
                               inputSize: (6, 6), initialization: .uniformUnitNorm, generator: &generator)
        let x = tensor([2, 2, 6, 6], uniformValues(144, &generator))
        let dy = tensor([2, 3, 3, 3], uniformValues(54, &generator))
        try layer.backward(input: x, outputGradient: dy, inputGradient: nil)
        let once = layer.parameters.map { doubles($0.gradient) }
        try layer.backward(input: x, outputGradient: dy, inputGradient: nil)
        for (parameter, first) in zip(layer.parameters, once) {
            #expect(relativeError(doubles(parameter.gradient), first.map { 2 * $0 }) <= 1e-6)
            #expect(first.contains { $0 != 0 })
        }
        layer.zeroGradients()
        #expect(layer.parameters.allSatisfy { $0.gradient.scalars.allSatisfy { $0 == 0 } })
    }
}
