import Layers
import Tensor
import TestSupport
import Testing

@Suite struct LinearTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let batch, inputs, outputs: Int
        let bias: Bool
        var testDescription: String { "N\(batch) \(inputs)→\(outputs)\(bias ? "" : " no bias")" }
    }

    @Test(arguments: [
        Case(batch: 1, inputs: 7, outputs: 5, bias: true),
        Case(batch: 3, inputs: 13, outputs: 4, bias: false),
        Case(batch: 3, inputs: 1, outputs: 9, bias: true),
    ])
    func matchesFloat64ReferenceAndFiniteDifferences(_ c: Case) throws {
        var generator = RandomGenerator(seed: 1)
        let layer = Linear(inputFeatures: c.inputs, outputFeatures: c.outputs, bias: c.bias,
                           initialization: .pytorchDefault, generator: &generator)
        let reference = ReferenceLayer.linear(batch: c.batch, inputs: c.inputs, outputs: c.outputs, bias: c.bias)
        try checkAgainstReference(layer, reference, batch: c.batch, seed: 11)
    }

    @Test func namesItsParametersLikePyTorch() {
        var generator = RandomGenerator(seed: 1)
        let withBias = Linear(inputFeatures: 3, outputFeatures: 2, initialization: .pytorchDefault, generator: &generator)
        let withoutBias = Linear(inputFeatures: 3, outputFeatures: 2, bias: false,
                                 initialization: .pytorchDefault, generator: &generator)
        #expect(withBias.namedParameters.map(\.name) == ["weight", "bias"])
        #expect(withBias.namedParameters.map(\.parameter.shape) == [[2, 3], [2]])
        #expect(withBias.multiplyAddsPerSample == 6)
        #expect(withoutBias.namedParameters.map(\.name) == ["weight"])
    }

    @Test func rejectsWrongShapesNamingGivenAndExpected() throws {
        var generator = RandomGenerator(seed: 1)
        let layer = Linear(inputFeatures: 4, outputFeatures: 3, initialization: .pytorchDefault, generator: &generator)
        let name = layer.description
        #expect(throws: TensorError.shapeMismatch(operation: "\(name) input", lhs: [2, 5], rhs: [2, 4])) {
            try layer.forward(Tensor(zeros: [2, 5]))
        }
        #expect(throws: TensorError.shapeMismatch(operation: "\(name) output", lhs: [3, 3], rhs: [2, 3])) {
            try layer.forward(Tensor(zeros: [2, 4]), into: Tensor(zeros: [3, 3]))
        }
        #expect(throws: TensorError.shapeMismatch(operation: "\(name) weight", lhs: [4, 3], rhs: [3, 4])) {
            try layer.apply(weight: Tensor(zeros: [4, 3]), to: Tensor(zeros: [2, 4]), into: Tensor(zeros: [2, 3]))
        }
    }
}
