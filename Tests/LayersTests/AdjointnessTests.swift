import Layers
import Tensor
import TestSupport
import Testing

/// ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for the linear maps of the paper's models (spec §5), at their real sizes,
/// plus a spot check of A x against a naive Float64 sum at a few output positions.
@Suite struct AdjointnessTests {
    /// Bound on `adjointError`.
    static let adjointTolerance = 1e-6

    /// |⟨A x, y⟩ − ⟨x, Aᵀ y⟩| / ⟨|A| |x|, |y|⟩, inner products accumulated in Float64 from the
    /// Float32 results. The denominator, the sum of the magnitudes of all terms (|A| is the map
    /// with weight |W|), is the scale of Float32 rounding; the inner products themselves are sums
    /// of random signs and may cancel. A wrong index in A or Aᵀ changes the difference by about
    /// 1/√(number of terms) of the scale, ≥ 1e-4 for these shapes.
    static func adjointError(_ layer: any AffineLayer, x: Tensor, y: Tensor) throws -> Double {
        let w = layer.weight.value
        let ax = Tensor(zeros: y.shape), aty = Tensor(zeros: x.shape)
        try layer.apply(weight: w, to: x, into: ax)
        try layer.applyTransposed(weight: w, to: y, into: aty)
        func magnitudes(_ t: Tensor) -> Tensor { tensor(t.shape, t.scalars.map(abs)) }
        let absAx = Tensor(zeros: y.shape)
        try layer.apply(weight: magnitudes(w), to: magnitudes(x), into: absAx)
        func dot(_ a: Tensor, _ b: Tensor) -> Double { zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
        return abs(dot(ax, y) - dot(x, aty)) / dot(absAx, magnitudes(y))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let batch: Int
        let make: @Sendable (inout RandomGenerator) throws -> any AffineLayer
        /// y[n, o, oy, ox] of the layer by a naive Float64 sum (flat output index → value).
        let naiveOutput: @Sendable (_ x: Tensor, _ w: Tensor, _ index: [Int]) -> Double
        var testDescription: String { "\(name), batch \(batch)" }
    }

    static func conv(_ name: String, batch: Int, _ c: Int, _ o: Int, k: Int, s: Int, p: Int, size: Int) -> Case {
        Case(name: name, batch: batch, make: { g in
            try Conv2d(inputChannels: c, outputChannels: o, kernelSize: (k, k), stride: s, padding: p,
                       bias: false, inputSize: (size, size), initialization: .uniformUnitNorm, generator: &g)
        }, naiveOutput: { x, w, index in
            let (n, oc, oy, ox) = (index[0], index[1], index[2], index[3])
            var sum: Double = 0
            for ic in 0..<c {
                for ky in 0..<k {
                    for kx in 0..<k {
                        let iy = oy * s - p + ky, ix = ox * s - p + kx
                        guard iy >= 0, iy < size, ix >= 0, ix < size else { continue }
                        sum += Double(x[n, ic, iy, ix]) * Double(w[oc, ic, ky, kx])
                    }
                }
            }
            return sum
        })
    }

    static func convTranspose(_ name: String, batch: Int, _ i: Int, _ o: Int, k: Int, s: Int, p: Int, op: Int,
                              size: Int) -> Case {
        Case(name: name, batch: batch, make: { g in
            try ConvTranspose2d(inputChannels: i, outputChannels: o, kernelSize: (k, k), stride: s, padding: p,
                                outputPadding: op, inputSize: (size, size), initialization: .uniformUnitNorm,
                                generator: &g)
        }, naiveOutput: { x, w, index in
            // Gather form of y[n, o, oy, ox] = Σ x[n, i, iy, ix]·W[i, o, ky, kx] over oy = iy·s − p + ky.
            let (n, oc, oy, ox) = (index[0], index[1], index[2], index[3])
            var sum: Double = 0
            for ic in 0..<i {
                for ky in 0..<k where (oy + p - ky) >= 0 && (oy + p - ky) % s == 0 && (oy + p - ky) / s < size {
                    for kx in 0..<k where (ox + p - kx) >= 0 && (ox + p - kx) % s == 0 && (ox + p - kx) / s < size {
                        sum += Double(x[n, ic, (oy + p - ky) / s, (ox + p - kx) / s]) * Double(w[ic, oc, ky, kx])
                    }
                }
            }
            return sum
        })
    }

    static let cases: [Case] = [
        conv("MNIST F: Conv 1→64 k5 s2 p2 on 28×28", batch: 2, 1, 64, k: 5, s: 2, p: 2, size: 28),
        conv("MNIST W: Conv 64→64 k5 s1 p2 on 14×14", batch: 2, 64, 64, k: 5, s: 1, p: 2, size: 14),
        conv("N-MNIST F: Conv 2→64 k5 s2 p1 on 34×34", batch: 2, 2, 64, k: 5, s: 2, p: 1, size: 34),
        conv("N-MNIST F (B6): Conv 2→64 k5 s2 p2 on 34×34", batch: 2, 2, 64, k: 5, s: 2, p: 2, size: 34),
        conv("AlexNet-F L1: Conv 3→96 k3 s2 p1 on 32×32", batch: 2, 3, 96, k: 3, s: 2, p: 1, size: 32),
        convTranspose("AlexNet-F feedback: ConvT 256→96 k3 s2 p1 op1 8×8", batch: 2, 256, 96, k: 3, s: 2, p: 1,
                      op: 1, size: 8),
        convTranspose("CIFARNet-F feedback: ConvT 512→128 k3 s2 p1 op1 8×8", batch: 1, 512, 128, k: 3, s: 2, p: 1,
                      op: 1, size: 8),
    ]

    @Test(arguments: cases)
    func transposeIsTheAdjoint(_ c: Case) throws {
        var generator = RandomGenerator(seed: 21)
        let layer = try c.make(&generator)
        let x = tensor([c.batch] + layer.inputSampleShape,
                       uniformValues(c.batch * layer.inputSampleShape.reduce(1, *), &generator))
        let y = tensor([c.batch] + layer.outputSampleShape,
                       uniformValues(c.batch * layer.outputSampleShape.reduce(1, *), &generator))
        let error = try Self.adjointError(layer, x: x, y: y)
        #expect(error <= Self.adjointTolerance)

        // Spot check of A x at 40 random positions against a naive Float64 sum.
        let w = layer.weight.value, ax = try layer.forward(x)
        var reference: [Double] = [], computed: [Double] = []
        for _ in 0..<40 {
            let index = y.shape.map { generator.nextInt(below: $0) }
            reference.append(c.naiveOutput(x, w, index))
            computed.append(Double(ax[index[0], index[1], index[2], index[3]]))
        }
        #expect(relativeError(computed, reference) <= Tolerance.forward)
    }

    @Test func linearTransposeIsTheAdjoint() throws {
        var generator = RandomGenerator(seed: 22)
        let layer = Linear(inputFeatures: 12_544, outputFeatures: 10, initialization: .pytorchDefault, generator: &generator)
        let x = tensor([3, 12_544], uniformValues(3 * 12_544, &generator))
        let y = tensor([3, 10], uniformValues(30, &generator))
        let error = try Self.adjointError(layer, x: x, y: y)
        #expect(error <= Self.adjointTolerance)
    }
}
