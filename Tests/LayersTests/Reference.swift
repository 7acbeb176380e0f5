import Layers
import Tensor
import Testing

/// max_i |a_i − b_i| / max(max_i |b_i|, tiny): the largest deviation of `a` from the reference `b`,
/// relative to the reference's largest magnitude (tiny = `Double.leastNormalMagnitude` guards an
/// all-zero reference). Infinite when any element is not finite.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeError: \(a.count) vs \(b.count) elements")
    guard (a + b).allSatisfy(\.isFinite) else { return .infinity }
    let deviation = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    let scale = b.map(abs).max() ?? 0
    return deviation / max(scale, Double.leastNormalMagnitude)
}

/// |a − b| / max(|a|, |b|, tiny) for two scalars; infinite when either is not finite.
func relativeError(_ a: Double, _ b: Double) -> Double {
    guard a.isFinite, b.isFinite else { return .infinity }
    return abs(a - b) / max(abs(a), abs(b), Double.leastNormalMagnitude)
}

/// `count` Float32 draws from U[−1, 1) (so they are exact in Float64 too).
func uniformValues(_ count: Int, _ generator: inout RandomGenerator) -> [Float] {
    (0..<count).map { _ in generator.nextUniform(in: -1..<1) }
}

func tensor(_ shape: [Int], _ values: [Float]) -> Tensor {
    try! Tensor(shape: shape, values: values)
}

func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }
func doubles(_ values: [Float]) -> [Double] { values.map(Double.init) }

/// A naive Float64 layer y = A_W x + b over a whole batch, written as its list of connections: every
/// term x[xi]·w[wi] that the layer adds into y[yi], plus the bias entry each output element adds.
/// Forward, the hand-written backward and finite differences all run on this list; the builders
/// (`linear`, `conv2d`, `convTranspose2d`) follow PyTorch's definitions index by index.
struct ReferenceLayer {
    var inputCount: Int
    var outputCount: Int
    var weightCount: Int
    var biasCount: Int
    var connections: [(y: Int, x: Int, w: Int)] = []
    /// The bias entry added to each output element (empty without bias).
    var biasOfOutput: [Int] = []

    func forward(x: [Double], w: [Double], b: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: outputCount)
        for c in connections { y[c.y] += x[c.x] * w[c.w] }
        for (i, bi) in biasOfOutput.enumerated() { y[i] += b[bi] }
        return y
    }

    /// The vector–Jacobian product for output gradient dy.
    func backward(x: [Double], w: [Double], dy: [Double]) -> (dx: [Double], dw: [Double], db: [Double]) {
        var dx = [Double](repeating: 0, count: inputCount)
        var dw = [Double](repeating: 0, count: weightCount)
        var db = [Double](repeating: 0, count: biasCount)
        for c in connections {
            dx[c.x] += w[c.w] * dy[c.y]
            dw[c.w] += x[c.x] * dy[c.y]
        }
        for (i, bi) in biasOfOutput.enumerated() { db[bi] += dy[i] }
        return (dx, dw, db)
    }

    /// Central differences of L = ⟨dy, forward(x, w, b)⟩ with step h in every coordinate of x, w, b.
    func finiteDifferenceGradients(x: [Double], w: [Double], b: [Double], dy: [Double], h: Double = 1e-3)
        -> (dx: [Double], dw: [Double], db: [Double]) {
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            zip(dy, forward(x: x, w: w, b: b)).reduce(0) { $0 + $1.0 * $1.1 }
        }
        func differences(_ point: [Double], _ evaluate: ([Double]) -> Double) -> [Double] {
            point.indices.map { i in
                var plus = point, minus = point
                plus[i] += h
                minus[i] -= h
                return (evaluate(plus) - evaluate(minus)) / (2 * h)
            }
        }
        return (differences(x) { loss($0, w, b) }, differences(w) { loss(x, $0, b) }, differences(b) { loss(x, w, $0) })
    }

    /// nn.Linear: y[n, o] = Σ_i x[n, i]·W[o, i] + b[o].
    static func linear(batch: Int, inputs: Int, outputs: Int, bias: Bool) -> ReferenceLayer {
        var r = ReferenceLayer(inputCount: batch * inputs, outputCount: batch * outputs,
                               weightCount: outputs * inputs, biasCount: bias ? outputs : 0)
        for n in 0..<batch {
            for o in 0..<outputs {
                for i in 0..<inputs { r.connections.append((n * outputs + o, n * inputs + i, o * inputs + i)) }
                if bias { r.biasOfOutput.append(o) }
            }
        }
        return r
    }

    /// nn.Conv2d: y[n, o, oy, ox] = Σ_{c, ky, kx} x[n, c, oy·s − p + ky, ox·s − p + kx]·W[o, c, ky, kx]
    /// + b[o], terms outside the input omitted (zero padding).
    static func conv2d(batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int,
                       kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int, bias: Bool) -> ReferenceLayer {
        let oh = (height + 2 * padding - kernelHeight) / stride + 1
        let ow = (width + 2 * padding - kernelWidth) / stride + 1
        var r = ReferenceLayer(inputCount: batch * inputChannels * height * width,
                               outputCount: batch * outputChannels * oh * ow,
                               weightCount: outputChannels * inputChannels * kernelHeight * kernelWidth,
                               biasCount: bias ? outputChannels : 0)
        for n in 0..<batch {
            for o in 0..<outputChannels {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let yi = ((n * outputChannels + o) * oh + oy) * ow + ox
                        for c in 0..<inputChannels {
                            for ky in 0..<kernelHeight {
                                for kx in 0..<kernelWidth {
                                    let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                                    guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                    r.connections.append((yi, ((n * inputChannels + c) * height + iy) * width + ix,
                                                          ((o * inputChannels + c) * kernelHeight + ky) * kernelWidth + kx))
                                }
                            }
                        }
                        if bias { r.biasOfOutput.append(o) }
                    }
                }
            }
        }
        return r
    }

    /// nn.ConvTranspose2d (no bias), by its scatter definition: each input pixel x[n, i, iy, ix]
    /// adds x·W[i, o, ky, kx] into y[n, o, iy·s − p + ky, ix·s − p + kx] where that lies inside the
    /// output of size H = (h − 1)·s − 2p + kh + output_padding.
    static func convTranspose2d(batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int,
                                kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int,
                                outputPadding: Int) -> ReferenceLayer {
        let oh = (height - 1) * stride - 2 * padding + kernelHeight + outputPadding
        let ow = (width - 1) * stride - 2 * padding + kernelWidth + outputPadding
        var r = ReferenceLayer(inputCount: batch * inputChannels * height * width,
                               outputCount: batch * outputChannels * oh * ow,
                               weightCount: inputChannels * outputChannels * kernelHeight * kernelWidth, biasCount: 0)
        for n in 0..<batch {
            for i in 0..<inputChannels {
                for iy in 0..<height {
                    for ix in 0..<width {
                        let xi = ((n * inputChannels + i) * height + iy) * width + ix
                        for o in 0..<outputChannels {
                            for ky in 0..<kernelHeight {
                                for kx in 0..<kernelWidth {
                                    let oy = iy * stride - padding + ky, ox = ix * stride - padding + kx
                                    guard oy >= 0, oy < oh, ox >= 0, ox < ow else { continue }
                                    r.connections.append((((n * outputChannels + o) * oh + oy) * ow + ox, xi,
                                                          ((i * outputChannels + o) * kernelHeight + ky) * kernelWidth + kx))
                                }
                            }
                        }
                    }
                }
            }
        }
        return r
    }
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
