import TestSupport
import Testing
import Tensor
import Layers

/// A dense `LinearMap` for these tests. The weight, read as a rows × cols matrix M (first axis
/// rows), acts like a layer whose kernel covers its whole input:
/// - `rowsAreOutputs` (Linear out × in, Conv O × I × kh × kw): y = M x, input sample
///   weightShape[1...], output [rows];
/// - otherwise (ConvTranspose I × O × kh × kw): y = Mᵀ x, input [rows], output weightShape[1...].
/// Its operator norm is therefore exactly the top singular value of M.
private final class DenseMatrixMap: LinearMap {
    let weight: Parameter
    let inputSampleShape: [Int]
    let outputSampleShape: [Int]
    let rowsAreOutputs: Bool
    let rows: Int
    let cols: Int

    init(weightShape: [Int], rowsAreOutputs: Bool, using generator: inout RandomGenerator) {
        weight = Parameter(Tensor(zeros: weightShape))
        weight.value.fillUniform(-1..<1, using: &generator)
        self.rowsAreOutputs = rowsAreOutputs
        rows = weightShape[0]
        cols = weightShape.dropFirst().reduce(1, *)
        let (rowShape, colShape) = ([rows], Array(weightShape.dropFirst()))
        (inputSampleShape, outputSampleShape) = rowsAreOutputs ? (colShape, rowShape) : (rowShape, colShape)
    }

    var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }

    private func matrix(_ w: Tensor) throws(TensorError) -> Tensor { try w.reshaped([rows, cols]) }
    private func flat(_ t: Tensor) throws(TensorError) -> Tensor { try t.reshaped([t.shape[0], t.count / t.shape[0]]) }

    func apply(weight w: Tensor, to x: Tensor, into y: Tensor) throws(TensorError) {
        try Tensor.gemm(flat(x), transposed: false, matrix(w), transposed: rowsAreOutputs, into: flat(y))
    }

    func applyTransposed(weight w: Tensor, to y: Tensor, into x: Tensor) throws(TensorError) {
        try Tensor.gemm(flat(y), transposed: false, matrix(w), transposed: !rowsAreOutputs, into: flat(x))
    }

    func accumulateWeightGradient(input x: Tensor, outputGradient dy: Tensor, into dW: Tensor) throws(TensorError) {
        let (left, right) = rowsAreOutputs ? (dy, x) : (x, dy)
        try Tensor.gemm(flat(left), transposed: true, flat(right), into: matrix(dW), beta: 1)
    }
}

/// Weight layouts: Linear, Conv (O, I, kh, kw) and ConvTranspose (I, O, kh, kw).
struct SpectralLayout: Sendable, CustomStringConvertible {
    let weightShape: [Int]
    let rowsAreOutputs: Bool
    var description: String { "\(rowsAreOutputs ? "" : "transposed ")\(weightShape)" }

    static let linear = SpectralLayout(weightShape: [6, 4], rowsAreOutputs: true)
    static let conv = SpectralLayout(weightShape: [3, 2, 2, 2], rowsAreOutputs: true)
    static let convTranspose = SpectralLayout(weightShape: [3, 2, 2, 2], rowsAreOutputs: false)
    static let all = [linear, conv, convTranspose]
}

/// Float64 views of a spectral-norm state: the raw weight as a rows × cols matrix and the bilinear
/// form σ(W) = aᵀ M b with (a, b) the vectors on the row and column sides of M.
private struct Spectral64 {
    let rows: Int, cols: Int
    let rowVector: [Double], colVector: [Double]

    /// Reads u, v of `norm` and assigns them to the sides of M: in matrix mode and for
    /// rows-are-outputs maps u is on the row side, for the transposed layout v is.
    init(_ norm: SpectralNorm, layout: SpectralLayout) {
        rows = layout.weightShape[0]
        cols = layout.weightShape.dropFirst().reduce(1, *)
        let (u, v) = (DoubleReference.values(norm.u), DoubleReference.values(norm.v))
        (rowVector, colVector) = norm.estimate == .reshapedMatrix || layout.rowsAreOutputs ? (u, v) : (v, u)
    }

    func sigma(_ w: [Double]) -> Double {
        var total = 0.0
        for i in 0..<rows { for j in 0..<cols { total += rowVector[i] * w[i * cols + j] * colVector[j] } }
        return total
    }

    /// W_eff = clamp(g, −1, 1)·W/σ(W) with the vectors held constant.
    func effectiveWeight(_ w: [Double], gain: Double) -> [Double] {
        let scale = min(max(gain, -1), 1) / sigma(w)
        return w.map { $0 * scale }
    }
}

/// M x and Mᵀ y for a row-major rows × cols matrix.
private func multiply(_ m: [Double], rows: Int, cols: Int, _ x: [Double]) -> [Double] {
    (0..<rows).map { i in (0..<cols).reduce(0) { $0 + m[i * cols + $1] * x[$1] } }
}

private func multiplyTransposed(_ m: [Double], rows: Int, cols: Int, _ y: [Double]) -> [Double] {
    (0..<cols).map { j in (0..<rows).reduce(0) { $0 + m[$1 * cols + j] * y[$1] } }
}

private func normalized(_ x: [Double]) -> [Double] {
    let norm = DoubleReference.dot(x, x).squareRoot()
    return x.map { $0 / norm }
}

/// Float64 power iteration from (u, v): `iterations` times v = normalise(Mᵀu), u = normalise(M v);
/// returns u, v and σ = uᵀ M v.
private func powerIteration64(_ m: [Double], rows: Int, cols: Int, u: [Double], v: [Double], iterations: Int)
    -> (u: [Double], v: [Double], sigma: Double)
{
    var (u, v) = (u, v)
    for _ in 0..<iterations {
        v = normalized(multiplyTransposed(m, rows: rows, cols: cols, u))
        u = normalized(multiply(m, rows: rows, cols: cols, v))
    }
    return (u, v, DoubleReference.dot(u, multiply(m, rows: rows, cols: cols, v)))
}

/// A spectral norm over a fresh dense map.
private func makeSpectralNorm(_ layout: SpectralLayout, _ estimate: SpectralNorm.Estimate, seed: UInt64) throws
    -> (map: DenseMatrixMap, norm: SpectralNorm)
{
    var generator = RandomGenerator(seed: seed)
    let map = DenseMatrixMap(weightShape: layout.weightShape, rowsAreOutputs: layout.rowsAreOutputs, using: &generator)
    return (map, try SpectralNorm(wrapping: map, estimate: estimate, using: &generator))
}

@Suite("SpectralNorm")
struct SpectralNormTests {
    /// After many per-batch power iterations, σ̂ equals the top singular value of the reshaped
    /// weight (Float64 power iteration run 3 000 times, its last step changing σ by < 1e-12),
    /// to 1e-5 relative, in both estimates and all layouts.
    @Test(arguments: SpectralLayout.all, [SpectralNorm.Estimate.reshapedMatrix, .operatorNorm])
    func sigmaConvergesToTopSingularValue(layout: SpectralLayout, estimate: SpectralNorm.Estimate) throws {
        let (map, norm) = try makeSpectralNorm(layout, estimate, seed: 31)
        let m = DoubleReference.values(norm.rawWeight.value)
        let (rows, cols) = (layout.weightShape[0], layout.weightShape.dropFirst().reduce(1, *))
        let start = (u: [Double](repeating: 1, count: rows), v: [Double](repeating: 1, count: cols))
        let converged = powerIteration64(m, rows: rows, cols: cols, u: start.u, v: start.v, iterations: 3_000)
        let next = powerIteration64(m, rows: rows, cols: cols, u: converged.u, v: converged.v, iterations: 1)
        #expect(abs(next.sigma - converged.sigma) < 1e-12)

        for _ in 0..<300 { try norm.update(iteratingPowerMethod: true) }
        let sigma = try #require(norm.sigma)
        #expect(abs(Double(sigma) - converged.sigma) / converged.sigma <= 1e-5)
        #expect(map.weight.value.count == m.count)
    }

    /// g starts at σ̂ of 10 power iterations from u, v drawn from the generator (u then v,
    /// standard normal, element order, normalised): the Float64 replay of those draws and
    /// iterations agrees to 1e-5 relative, and so do the stored u, v.
    @Test(arguments: [SpectralLayout.linear, .conv], [SpectralNorm.Estimate.reshapedMatrix, .operatorNorm])
    func initialGainIsTheTenIterationEstimate(layout: SpectralLayout, estimate: SpectralNorm.Estimate) throws {
        var generator = RandomGenerator(seed: 32)
        let map = DenseMatrixMap(weightShape: layout.weightShape, rowsAreOutputs: true, using: &generator)
        var replay = generator
        let norm = try SpectralNorm(wrapping: map, estimate: estimate, using: &generator)
        let (rows, cols) = (layout.weightShape[0], layout.weightShape.dropFirst().reduce(1, *))
        let u0 = normalized((0..<rows).map { _ in Double(replay.nextNormal()) })
        let v0 = normalized((0..<cols).map { _ in Double(replay.nextNormal()) })
        let expected = powerIteration64(DoubleReference.values(map.weight.value), rows: rows, cols: cols,
                                        u: u0, v: v0, iterations: 10)
        let g = Double(norm.gain.value.scalars[0])
        #expect(abs(g - expected.sigma) / expected.sigma <= 1e-5)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(norm.u), expected.u) <= 1e-5)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(norm.v), expected.v) <= 1e-5)
        #expect(norm.gain.shape == [1])
        #expect(norm.rawWeight.value.scalars == map.weight.value.scalars)
    }

    /// update writes W_eff = clamp(g, −1, 1)·W_raw/σ̂ into the layer weight, with σ̂ = uᵀ A v
    /// from the stored vectors (|Δ| ≤ 1e-6 relative to max |W_eff|).
    @Test(arguments: SpectralLayout.all, [Float(0.6), 1.7, -2])
    func effectiveWeightIsClampedGainTimesRawOverSigma(layout: SpectralLayout, gain: Float) throws {
        let (map, norm) = try makeSpectralNorm(layout, .operatorNorm, seed: 33)
        norm.gain.value.fill(gain)
        try norm.update(iteratingPowerMethod: true)
        let reference = Spectral64(norm, layout: layout)
        let raw = DoubleReference.values(norm.rawWeight.value)
        let expected = reference.effectiveWeight(raw, gain: Double(gain))
        let scale = expected.map(abs).max()!
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(map.weight.value), expected) <= 1e-6 * scale)
        #expect(abs(Double(try #require(norm.sigma)) - reference.sigma(raw)) <= 1e-6 * reference.sigma(raw))
    }

    /// Backward against central differences (step 1e-5) of the Float64 map
    /// (W_raw, g) ↦ clamp(g)·W_raw/(uᵀ W_raw v) with u, v fixed, for L = ⟨G, W_eff⟩ with random G:
    /// |Δ| ≤ 1e-5 (gradients are O(1)). For |g| > 1 the g-gradient is exactly 0.
    @Test(arguments: SpectralLayout.all, [SpectralNorm.Estimate.reshapedMatrix, .operatorNorm])
    func backwardMatchesFiniteDifferences(layout: SpectralLayout, estimate: SpectralNorm.Estimate) throws {
        for gain in [0.6, 1.5, -1.3] {
            let (map, norm) = try makeSpectralNorm(layout, estimate, seed: 34)
            norm.gain.value.fill(Float(gain))
            try norm.update(iteratingPowerMethod: true)
            var generator = RandomGenerator(seed: 35)
            map.weight.gradient.fillUniform(-1..<1, using: &generator)
            norm.zeroGradients()
            try norm.backward(effectiveWeightGradient: map.weight.gradient)

            let reference = Spectral64(norm, layout: layout)
            let raw = DoubleReference.values(norm.rawWeight.value), g = Double(Float(gain))
            let upstream = DoubleReference.values(map.weight.gradient)
            let loss = { (w: [Double], g: Double) in DoubleReference.dot(upstream, reference.effectiveWeight(w, gain: g)) }
            let numericW = Reference.gradient(of: { loss($0, g) }, at: raw, step: 1e-5)
            let numericG = Reference.gradient(of: { loss(raw, $0[0]) }, at: [g], step: 1e-5)[0]
            #expect(DoubleReference.maxAbsDifference(DoubleReference.values(norm.rawWeight.gradient), numericW) <= 1e-5,
                    "g = \(gain)")
            let libraryG = Double(norm.gain.gradient.scalars[0])
            #expect(abs(libraryG - numericG) <= 1e-5, "g = \(gain)")
            if abs(gain) > 1 { #expect(libraryG == 0 && numericG == 0, "g = \(gain)") }
            else { #expect(abs(libraryG) > 1e-3, "g = \(gain)") }
        }
    }

    /// For a dense map whose output side is the matrix rows, the operator estimate draws the same
    /// u, v and runs the same iteration as the reshaped-matrix estimate, so g, σ̂, W_eff and the
    /// gradients agree (≤ 1e-6 relative; only the BLAS call differs).
    @Test(arguments: [SpectralLayout.linear, .conv])
    func operatorModeEqualsMatrixModeOnADenseMap(layout: SpectralLayout) throws {
        let (matrixMap, matrixNorm) = try makeSpectralNorm(layout, .reshapedMatrix, seed: 36)
        let (operatorMap, operatorNorm) = try makeSpectralNorm(layout, .operatorNorm, seed: 36)
        let close = { (a: Tensor, b: Tensor) -> Bool in
            let scale = max(b.scalars.map(abs).max()!, 1e-30)
            return DoubleReference.maxAbsDifference(DoubleReference.values(a), DoubleReference.values(b)) <= 1e-6 * Double(scale)
        }
        #expect(close(matrixNorm.gain.value, operatorNorm.gain.value))
        for _ in 0..<3 {
            try matrixNorm.update(iteratingPowerMethod: true)
            try operatorNorm.update(iteratingPowerMethod: true)
        }
        #expect(close(matrixMap.weight.value, operatorMap.weight.value))
        #expect(try close(matrixNorm.u.reshaped([matrixNorm.u.count]), operatorNorm.u.reshaped([operatorNorm.u.count])))
        matrixNorm.gain.value.fill(0.8)
        operatorNorm.gain.value.fill(0.8)
        var generator = RandomGenerator(seed: 37)
        matrixMap.weight.gradient.fillUniform(-1..<1, using: &generator)
        try operatorMap.weight.gradient.assign(matrixMap.weight.gradient)
        for norm in [matrixNorm, operatorNorm] {
            try norm.update(iteratingPowerMethod: false)
            try norm.backward(effectiveWeightGradient: norm.layer.weight.gradient)
        }
        #expect(close(matrixNorm.rawWeight.gradient, operatorNorm.rawWeight.gradient))
        #expect(close(matrixNorm.gain.gradient, operatorNorm.gain.gradient))
    }

    /// update(iteratingPowerMethod: false) keeps u, v bit for bit (evaluation, B10 off); true
    /// moves them (training, or evaluation with B10 on).
    @Test func evaluationFreezesThePowerIteration() throws {
        let (_, norm) = try makeSpectralNorm(.conv, .operatorNorm, seed: 38)
        let (u0, v0) = (norm.u.scalars, norm.v.scalars)
        try norm.update(iteratingPowerMethod: false)
        #expect(norm.u.scalars == u0 && norm.v.scalars == v0)
        try norm.update(iteratingPowerMethod: true)
        #expect(norm.u.scalars != u0 || norm.v.scalars != v0)
    }

    /// Copying the named parameters and buffers (weight_raw, g, u, v) into a spectral norm built
    /// from another seed reproduces the next updates bit for bit.
    @Test(arguments: [SpectralNorm.Estimate.reshapedMatrix, .operatorNorm])
    func stateRoundTrips(estimate: SpectralNorm.Estimate) throws {
        let (map, norm) = try makeSpectralNorm(.convTranspose, estimate, seed: 39)
        for _ in 0..<3 { try norm.update(iteratingPowerMethod: true) }
        let (restoredMap, restored) = try makeSpectralNorm(.convTranspose, estimate, seed: 40)
        #expect(restored.namedParameters.map(\.name) == ["weight_raw", "g"])
        #expect(restored.namedBuffers.map(\.name) == ["u", "v"])
        for (target, source) in zip(restored.namedParameters, norm.namedParameters) {
            try target.parameter.value.assign(Tensor(shape: source.parameter.shape, values: source.parameter.value.scalars))
        }
        for (target, source) in zip(restored.namedBuffers, norm.namedBuffers) {
            try target.tensor.assign(Tensor(shape: source.tensor.shape, values: source.tensor.scalars))
        }
        for _ in 0..<2 {
            try norm.update(iteratingPowerMethod: true)
            try restored.update(iteratingPowerMethod: true)
            #expect(restoredMap.weight.value.scalars == map.weight.value.scalars)
            #expect(restored.sigma == norm.sigma)
        }
    }

    @Test func backwardBeforeUpdateIsATypedError() throws {
        let (map, norm) = try makeSpectralNorm(.linear, .operatorNorm, seed: 41)
        #expect(throws: SpectralNormError.backwardBeforeUpdate) {
            try norm.backward(effectiveWeightGradient: map.weight.gradient)
        }
    }

    @Test func zeroWeightIsADegenerateNorm() throws {
        var generator = RandomGenerator(seed: 42)
        let map = DenseMatrixMap(weightShape: [2, 3], rowsAreOutputs: true, using: &generator)
        map.weight.value.fill(0)
        #expect(throws: SpectralNormError.degenerateNorm(sigma: 0, weightShape: [2, 3])) {
            let norm = try SpectralNorm(wrapping: map, using: &generator)
            try norm.update(iteratingPowerMethod: true)
        }
    }
}
