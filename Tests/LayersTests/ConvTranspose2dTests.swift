import Layers
import Tensor
import TestSupport
import Testing

@Suite struct ConvTranspose2dTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let batch, inputChannels, outputChannels, height, width, kernelHeight, kernelWidth: Int
        let stride, padding, outputPadding: Int
        var testDescription: String {
            "N\(batch) \(inputChannels)→\(outputChannels) \(height)×\(width) k\(kernelHeight)×\(kernelWidth) "
                + "s\(stride) p\(padding) op\(outputPadding)"
        }

        func layer(_ generator: inout RandomGenerator) throws -> ConvTranspose2d {
            try ConvTranspose2d(inputChannels: inputChannels, outputChannels: outputChannels,
                                kernelSize: (kernelHeight, kernelWidth), stride: stride, padding: padding,
                                outputPadding: outputPadding, inputSize: (height, width),
                                initialization: .uniformUnitNorm, generator: &generator)
        }

        var reference: ReferenceLayer {
            .convTranspose2d(batch: batch, inputChannels: inputChannels, outputChannels: outputChannels,
                             height: height, width: width, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                             stride: stride, padding: padding, outputPadding: outputPadding)
        }
    }

    @Test(arguments: [
        Case(batch: 1, inputChannels: 3, outputChannels: 2, height: 4, width: 5, kernelHeight: 3, kernelWidth: 3,
             stride: 2, padding: 1, outputPadding: 1),
        Case(batch: 3, inputChannels: 2, outputChannels: 3, height: 5, width: 3, kernelHeight: 3, kernelWidth: 3,
             stride: 1, padding: 0, outputPadding: 0),
        Case(batch: 3, inputChannels: 2, outputChannels: 2, height: 3, width: 4, kernelHeight: 5, kernelWidth: 5,
             stride: 2, padding: 2, outputPadding: 1),
        Case(batch: 2, inputChannels: 3, outputChannels: 2, height: 4, width: 3, kernelHeight: 4, kernelWidth: 3,
             stride: 3, padding: 2, outputPadding: 2),
        Case(batch: 1, inputChannels: 1, outputChannels: 2, height: 3, width: 3, kernelHeight: 2, kernelWidth: 2,
             stride: 2, padding: 0, outputPadding: 0),
    ])
    func matchesFloat64ReferenceAndFiniteDifferences(_ c: Case) throws {
        var generator = RandomGenerator(seed: 3)
        let layer = try c.layer(&generator)
        try checkAgainstReference(layer, c.reference, batch: c.batch, seed: 13)
    }

    @Test func outputShapeFollowsPyTorch() throws {
        var generator = RandomGenerator(seed: 1)
        let layer = try ConvTranspose2d(inputChannels: 256, outputChannels: 96, kernelSize: (3, 3), stride: 2,
                                        padding: 1, outputPadding: 1, inputSize: (8, 8),
                                        initialization: .uniformUnitNorm, generator: &generator)
        #expect(layer.inputSampleShape == [256, 8, 8])
        #expect(layer.outputSampleShape == [96, 16, 16])
        #expect(layer.weight.shape == [256, 96, 3, 3])
        // Every input pixel meets every weight once: the dense product of the convolution it transposes.
        #expect(layer.multiplyAddsPerSample == 256 * 96 * 9 * 8 * 8)
        #expect(layer.namedParameters.map(\.name) == ["weight"])
    }

    @Test func rejectsWrongShapesNamingGivenAndExpected() throws {
        var generator = RandomGenerator(seed: 1)
        let layer = try ConvTranspose2d(inputChannels: 3, outputChannels: 2, kernelSize: (3, 3), stride: 2,
                                        padding: 1, outputPadding: 1, inputSize: (4, 4),
                                        initialization: .uniformUnitNorm, generator: &generator)
        let name = layer.description
        #expect(throws: TensorError.shapeMismatch(operation: "\(name) input", lhs: [1, 2, 4, 4], rhs: [1, 3, 4, 4])) {
            try layer.forward(Tensor(zeros: [1, 2, 4, 4]))
        }
        #expect(throws: TensorError.shapeMismatch(operation: "\(name) output", lhs: [1, 2, 7, 7], rhs: [1, 2, 8, 8])) {
            try layer.forward(Tensor(zeros: [1, 3, 4, 4]), into: Tensor(zeros: [1, 2, 7, 7]))
        }
        #expect(throws: TensorError.self) {
            _ = try ConvTranspose2d(inputChannels: 3, outputChannels: 2, kernelSize: (3, 3), stride: 2,
                                    outputPadding: 2, inputSize: (4, 4), initialization: .uniformUnitNorm,
                                    generator: &generator)
        }
    }
}
