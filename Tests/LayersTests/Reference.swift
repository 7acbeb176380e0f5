import Layers
import Tensor
import TestSupport
import Testing

/// `count` Float32 draws from U[−1, 1) (so they are exact in Float64 too).
func uniformValues(_ count: Int, _ generator: inout RandomGenerator) -> [Float] {
    (0..<count).map { _ in generator.nextUniform(in: -1..<1) }
}

func tensor(_ shape: [Int], _ values: [Float]) -> Tensor {
    try! Tensor(shape: shape, values: values)
}

/// Tolerances of the layer checks (stated once, used by every layer test).
enum Tolerance {
    /// Float32 forward against the Float64 reference.
    static let forward = 1e-5
    /// Float64 hand-written backward against central finite differences of the Float64 forward.
    static let finiteDifferences = 1e-6
    /// Float32 backward against the Float64 backward.
    static let backward = 1e-4
}

/// Checks `layer` against `reference` for a batch of `batch` samples with seeded random input,
/// weight, bias, output gradient and pre-existing parameter gradients:
/// 1. forward (Float32) vs the Float64 reference forward;
/// 2. the Float64 reference backward vs central finite differences of the Float64 forward;
/// 3. the layer's backward vs the Float64 backward: dx, and the *increments* of weight.gradient
///    and bias.gradient (backward accumulates into them).
func checkAgainstReference<Layer: AffineLayer>(_ layer: Layer, _ reference: ReferenceLayer, batch: Int, seed: UInt64) throws {
    var generator = RandomGenerator(seed: seed)
    let xValues = uniformValues(reference.inputCount, &generator)
    let wValues = uniformValues(reference.weightCount, &generator)
    let bValues = uniformValues(reference.biasCount, &generator)
    let dyValues = uniformValues(reference.outputCount, &generator)
    let x = tensor([batch] + layer.inputSampleShape, xValues)
    try layer.weight.value.assign(tensor(layer.weight.shape, wValues))
    if let bias = layer.bias { try bias.value.assign(tensor(bias.shape, bValues)) }
    #expect((layer.bias?.value.count ?? 0) == reference.biasCount)

    let y = try layer.forward(x)
    let yReference = reference.forward(x: doubles(xValues), w: doubles(wValues), b: doubles(bValues))
    #expect(y.shape == [batch] + layer.outputSampleShape)
    #expect(relativeError(doubles(y), yReference) <= Tolerance.forward, "forward of \(layer)")

    let exact = reference.backward(x: doubles(xValues), w: doubles(wValues), dy: doubles(dyValues))
    let numeric = reference.finiteDifferenceGradients(x: doubles(xValues), w: doubles(wValues),
                                                      b: doubles(bValues), dy: doubles(dyValues))
    #expect(relativeError(exact.dx, numeric.dx) <= Tolerance.finiteDifferences, "reference dx of \(layer)")
    #expect(relativeError(exact.dw, numeric.dw) <= Tolerance.finiteDifferences, "reference dW of \(layer)")
    if reference.biasCount > 0 {
        #expect(relativeError(exact.db, numeric.db) <= Tolerance.finiteDifferences, "reference db of \(layer)")
    }

    let weightGradientBefore = uniformValues(reference.weightCount, &generator)
    let biasGradientBefore = uniformValues(reference.biasCount, &generator)
    try layer.weight.gradient.assign(tensor(layer.weight.shape, weightGradientBefore))
    if let bias = layer.bias { try bias.gradient.assign(tensor(bias.shape, biasGradientBefore)) }
    let dx = Tensor(repeating: .nan, shape: x.shape)
    try layer.backward(input: x, outputGradient: tensor(y.shape, dyValues), inputGradient: dx)
    #expect(relativeError(doubles(dx), exact.dx) <= Tolerance.backward, "dx of \(layer)")
    let weightIncrement = zip(doubles(layer.weight.gradient), doubles(weightGradientBefore)).map { $0 - $1 }
    #expect(relativeError(weightIncrement, exact.dw) <= Tolerance.backward, "dW of \(layer)")
    if let bias = layer.bias {
        let biasIncrement = zip(doubles(bias.gradient), doubles(biasGradientBefore)).map { $0 - $1 }
        #expect(relativeError(biasIncrement, exact.db) <= Tolerance.backward, "db of \(layer)")
    }
}
