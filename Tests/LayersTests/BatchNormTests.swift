import Foundation
import TestSupport
import Testing
import Tensor
import Layers

/// Naive Float64 batch normalisation over [N, C, S] (S = H·W, 1 for 1-d inputs), written per
/// element from the definitions.
private struct BatchNorm64 {
    let batch: Int, channels: Int, spatial: Int

    init(shape: [Int]) {
        batch = shape[0]
        channels = shape[1]
        spatial = shape.dropFirst(2).reduce(1, *)
    }

    var count: Int { batch * channels * spatial }

    /// Flat indices of channel c.
    func indices(of c: Int) -> [Int] {
        (0..<batch).flatMap { n in (0..<spatial).map { (n * channels + c) * spatial + $0 } }
    }

    /// Mean and Σ(x − mean)² of every channel.
    func moments(_ x: [Double]) -> [(mean: Double, squares: Double)] {
        (0..<channels).map { c in
            let values = indices(of: c).map { x[$0] }
            let mean = values.reduce(0, +) / Double(values.count)
            return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) })
        }
    }

    /// Mean and standard deviation of the training mode: biased variance, √(var + ε).
    func batchStatistics(_ x: [Double], epsilon: Double) -> (mean: [Double], std: [Double]) {
        let m = moments(x), n = Double(batch * spatial)
        return (m.map(\.mean), m.map { ($0.squares / n + epsilon).squareRoot() })
    }

    /// y = γ (x − μ)/s + β; μ, s from the batch when `fixed` is nil.
    func forward(_ x: [Double], gamma: [Double], beta: [Double], fixed: (mean: [Double], std: [Double])?,
                 epsilon: Double = 1e-5) -> [Double] {
        let (mean, std) = fixed ?? batchStatistics(x, epsilon: epsilon)
        var y = [Double](repeating: 0, count: count)
        for c in 0..<channels {
            for i in indices(of: c) { y[i] = gamma[c] * (x[i] - mean[c]) / std[c] + beta[c] }
        }
        return y
    }

    /// (dx, dγ, dβ) for output gradient dy. With batch statistics (M values per channel):
    /// dx = γ/s (dy − mean(dy) − x̂ mean(dy x̂)); with fixed statistics dx = γ/s dy.
    func backward(_ x: [Double], gamma: [Double], dy: [Double], fixed: (mean: [Double], std: [Double])?,
                  epsilon: Double = 1e-5) -> (dx: [Double], dGamma: [Double], dBeta: [Double]) {
        let (mean, std) = fixed ?? batchStatistics(x, epsilon: epsilon)
        var dx = [Double](repeating: 0, count: count)
        var dGamma = [Double](repeating: 0, count: channels), dBeta = dGamma
        for c in 0..<channels {
            let idx = indices(of: c), m = Double(idx.count)
            let xHat = idx.map { (x[$0] - mean[c]) / std[c] }
            dBeta[c] = idx.reduce(0) { $0 + dy[$1] }
            dGamma[c] = zip(idx, xHat).reduce(0) { $0 + dy[$1.0] * $1.1 }
            for (i, h) in zip(idx, xHat) {
                dx[i] = fixed == nil
                    ? gamma[c] / std[c] * (dy[i] - dBeta[c] / m - h * dGamma[c] / m)
                    : gamma[c] / std[c] * dy[i]
            }
        }
        return (dx, dGamma, dBeta)
    }
}

/// The three modes, with the Float64 statistics each implies for an input x.
enum BatchNormModeCase: CustomStringConvertible {
    case training, evaluation, fixed

    var description: String {
        switch self {
        case .training: "training"
        case .evaluation: "evaluation"
        case .fixed: "fixed"
        }
    }
}

/// A layer with random γ, β and running statistics, an input of `shape`, and the Float64 view of both.
private struct Fixture {
    let layer: BatchNorm
    let x: Tensor
    let reference: BatchNorm64
    let xValues: [Double], gamma: [Double], beta: [Double]

    init(shape: [Int], seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        let channels = shape[1]
        layer = BatchNorm(channels: channels)
        layer.weight.value.fillUniform(0.5..<1.5, using: &generator)
        layer.bias.value.fillUniform(-0.5..<0.5, using: &generator)
        layer.runningMean.fillUniform(-1..<1, using: &generator)
        layer.runningVariance.fillUniform(0.5..<2, using: &generator)
        x = Tensor(zeros: shape)
        x.fillUniform(-2..<3, using: &generator)
        reference = BatchNorm64(shape: shape)
        xValues = DoubleReference.values(x)
        gamma = DoubleReference.values(layer.weight.value)
        beta = DoubleReference.values(layer.bias.value)
    }

    /// The library mode and the Float64 fixed statistics (nil for batch statistics).
    func mode(_ mode: BatchNormModeCase) throws -> (BatchNorm.Mode, (mean: [Double], std: [Double])?) {
        switch mode {
        case .training:
            return (.training(updatingRunningStatistics: false), nil)
        case .evaluation:
            let std = DoubleReference.values(layer.runningVariance).map { ($0 + 1e-5).squareRoot() }
            return (.evaluation, (DoubleReference.values(layer.runningMean), std))
        case .fixed:
            let statistics = try layer.fixedStatistics(of: x)
            return (.fixed(statistics), (DoubleReference.values(statistics.mean), DoubleReference.values(statistics.standardDeviation)))
        }
    }
}

/// Odd sizes: 1-d batch 3; 2-d batch 3 and batch 1.
private let shapes: [[Int]] = [[3, 5], [3, 3, 5, 3], [1, 3, 5, 3]]

@Suite("BatchNorm")
struct BatchNormTests {
    /// Float32 forward against the Float64 reference: |Δy| ≤ 1e-5 (|y| ≲ 4).
    @Test(arguments: shapes, [BatchNormModeCase.training, .evaluation, .fixed])
    func forwardMatchesFloat64(shape: [Int], mode: BatchNormModeCase) throws {
        let f = try Fixture(shape: shape, seed: 11)
        let (layerMode, statistics) = try f.mode(mode)
        let y = Tensor(zeros: shape)
        try f.layer.forward(f.x, into: y, mode: layerMode)
        let expected = f.reference.forward(f.xValues, gamma: f.gamma, beta: f.beta, fixed: statistics)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(y), expected) <= 1e-5)
    }

    /// fixedStatistics: per-channel mean and √(unbiased variance + 1e-8), |Δ| ≤ 1e-6.
    @Test(arguments: shapes)
    func fixedStatisticsAreUnbiasedWithTinyEpsilon(shape: [Int]) throws {
        let f = try Fixture(shape: shape, seed: 12)
        let statistics = try f.layer.fixedStatistics(of: f.x)
        let moments = f.reference.moments(f.xValues)
        let m = Double(f.reference.batch * f.reference.spatial)
        let expectedStd = moments.map { ($0.squares / (m - 1) + 1e-8).squareRoot() }
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(statistics.mean), moments.map(\.mean)) <= 1e-6)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(statistics.standardDeviation), expectedStd) <= 1e-6)
    }

    /// The Float64 backward against central differences of the Float64 forward (≤ 1e-6, step 1e-5),
    /// then the Float32 backward against the Float64 backward (≤ 1e-4), for L = Σ w ⊙ y.
    /// A larger-batch forward saves into the same `Saved` first, so its x̂ is a view of a reused buffer.
    @Test(arguments: shapes, [BatchNormModeCase.training, .evaluation, .fixed])
    func backwardMatchesFiniteDifferencesAndFloat64(shape: [Int], mode: BatchNormModeCase) throws {
        let f = try Fixture(shape: shape, seed: 13)
        let (layerMode, statistics) = try f.mode(mode)
        var generator = RandomGenerator(seed: 14)
        let w = DoubleReference.uniform(f.reference.count, using: &generator)
        let r = f.reference

        // Float64 backward vs finite differences in x, γ and β.
        let analytic = r.backward(f.xValues, gamma: f.gamma, dy: w, fixed: statistics)
        let loss = { (x: [Double], gamma: [Double], beta: [Double]) in
            DoubleReference.dot(w, r.forward(x, gamma: gamma, beta: beta, fixed: statistics))
        }
        let numericX = Reference.gradient(of: { loss($0, f.gamma, f.beta) }, at: f.xValues, step: 1e-5)
        let numericGamma = Reference.gradient(of: { loss(f.xValues, $0, f.beta) }, at: f.gamma, step: 1e-5)
        let numericBeta = Reference.gradient(of: { loss(f.xValues, f.gamma, $0) }, at: f.beta, step: 1e-5)
        #expect(DoubleReference.maxAbsDifference(analytic.dx, numericX) <= 1e-6)
        #expect(DoubleReference.maxAbsDifference(analytic.dGamma, numericGamma) <= 1e-6)
        #expect(DoubleReference.maxAbsDifference(analytic.dBeta, numericBeta) <= 1e-6)

        // Float32 library backward vs the Float64 backward.
        let larger = Tensor(repeating: 0.5, shape: [shape[0] + 2] + shape.dropFirst())
        larger.pointer[1] = -1
        let saved = BatchNorm.Saved(channels: shape[1])
        try f.layer.forward(larger, into: Tensor(zeros: larger.shape), mode: .training(updatingRunningStatistics: false),
                            saving: saved)
        try f.layer.forward(f.x, into: Tensor(zeros: shape), mode: layerMode, saving: saved)
        let dy = try DoubleReference.tensor(w, shape: shape), dx = Tensor(zeros: shape)
        f.layer.zeroGradients()
        try f.layer.backward(outputGradient: dy, saved: saved, inputGradient: dx)
        let dyValues = DoubleReference.values(dy)
        let expected = r.backward(f.xValues, gamma: f.gamma, dy: dyValues, fixed: statistics)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(dx), expected.dx) <= 1e-4)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(f.layer.weight.gradient), expected.dGamma) <= 1e-4)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(f.layer.bias.gradient), expected.dBeta) <= 1e-4)
    }

    /// Backward accumulates into γ, β gradients and may write dx over dy.
    @Test func backwardAccumulatesParameterGradientsAndAllowsInPlace() throws {
        let f = try Fixture(shape: [3, 3, 5, 3], seed: 15)
        let dy = Tensor(zeros: f.x.shape), dx = Tensor(zeros: f.x.shape)
        var generator = RandomGenerator(seed: 16)
        dy.fillUniform(-1..<1, using: &generator)
        let saved = BatchNorm.Saved(channels: 3)
        try f.layer.forward(f.x, into: Tensor(zeros: f.x.shape), mode: .training(updatingRunningStatistics: false),
                            saving: saved)
        f.layer.zeroGradients()
        try f.layer.backward(outputGradient: dy, saved: saved, inputGradient: dx)
        let once = f.layer.weight.gradient.scalars, onceBias = f.layer.bias.gradient.scalars
        try f.layer.backward(outputGradient: dy, saved: saved, inputGradient: dy)
        #expect(dy.scalars == dx.scalars)
        #expect(f.layer.weight.gradient.scalars == once.map { 2 * $0 })
        #expect(f.layer.bias.gradient.scalars == onceBias.map { 2 * $0 })
    }

    /// `save` writes what a saving forward writes, bit for bit, in every mode (a training mode
    /// updating the running statistics as that forward would); `updateRunningStatistics(from:)`
    /// moves them exactly as a forward updating them, and neither touches anything else.
    @Test(arguments: [BatchNormModeCase.training, .evaluation, .fixed])
    func saveAndStatisticsUpdateAreAForwardWithoutItsOutput(mode: BatchNormModeCase) throws {
        let forwarded = try Fixture(shape: [3, 3, 5, 3], seed: 17), saved = try Fixture(shape: [3, 3, 5, 3], seed: 17)
        let (forwardMode, _) = try forwarded.mode(mode), (saveMode, _) = try saved.mode(mode)
        let viaForward = BatchNorm.Saved(channels: 3), viaSave = BatchNorm.Saved(channels: 3)
        try forwarded.layer.forward(forwarded.x, into: Tensor(zeros: forwarded.x.shape), mode: forwardMode, saving: viaForward)
        try saved.layer.save(saved.x, mode: saveMode, into: viaSave)
        #expect(try #require(viaSave.normalized).scalars == (try #require(viaForward.normalized)).scalars)
        let dy = Tensor(repeating: 0.25, shape: forwarded.x.shape)
        dy.pointer[7] = -1
        let dxForward = Tensor(zeros: dy.shape), dxSave = Tensor(zeros: dy.shape)
        try forwarded.layer.backward(outputGradient: dy, saved: viaForward, inputGradient: dxForward)
        try saved.layer.backward(outputGradient: dy, saved: viaSave, inputGradient: dxSave)
        #expect(dxSave.scalars == dxForward.scalars)

        let updating = try Fixture(shape: [3, 3, 5, 3], seed: 18), updated = try Fixture(shape: [3, 3, 5, 3], seed: 18)
        try updating.layer.forward(updating.x, into: Tensor(zeros: updating.x.shape),
                                   mode: .training(updatingRunningStatistics: true))
        try updated.layer.updateRunningStatistics(from: updated.x)
        for (a, b) in zip(updating.layer.namedBuffers, updated.layer.namedBuffers) {
            #expect(a.tensor.scalars == b.tensor.scalars, "\(a.name)")
        }
        #expect(updated.layer.batchesTracked.scalars == [1])
    }

    /// Running statistics after three training steps, momentum 0.1, unbiased batch variance, worked by hand.
    /// Channel 0: batches [1, 2, 3], [0, 0, 3], [−1, 1, 6]: means 2, 1, 2; unbiased variances 1, 3, 13.
    ///   mean: 0.1·2 = 0.2 → 0.9·0.2 + 0.1·1 = 0.28 → 0.9·0.28 + 0.1·2 = 0.452
    ///   var:  0.9·1 + 0.1·1 = 1.0 → 0.9·1.0 + 0.1·3 = 1.2 → 0.9·1.2 + 0.1·13 = 2.38
    /// Channel 1: batches [4, 4, 4], [−2, 0, 2], [10, 10, 13]: means 4, 0, 11; variances 0, 4, 3.
    ///   mean: 0.4 → 0.36 → 0.9·0.36 + 1.1 = 1.424
    ///   var:  0.9 → 0.81 + 0.4 = 1.21 → 0.9·1.21 + 0.3 = 1.389
    /// A training forward that does not update (quirk B1's corrected simulation) and an evaluation
    /// forward in between leave the statistics untouched.
    @Test func runningStatisticsAfterThreeStepsMatchHandComputation() throws {
        let layer = BatchNorm(channels: 2)
        let batches: [[Float]] = [[1, 4, 2, 4, 3, 4], [0, -2, 0, 0, 3, 2], [-1, 10, 1, 10, 6, 13]]  // [N=3, C=2], row-major
        let y = Tensor(zeros: [3, 2])
        for (step, values) in batches.enumerated() {
            let x = try Tensor(shape: [3, 2], values: values)
            try layer.forward(x, into: y, mode: .training(updatingRunningStatistics: true))
            let before = (layer.runningMean.scalars, layer.runningVariance.scalars)
            try layer.forward(x, into: y, mode: .training(updatingRunningStatistics: false))
            try layer.forward(x, into: y, mode: .evaluation)
            #expect(layer.runningMean.scalars == before.0 && layer.runningVariance.scalars == before.1, "step \(step)")
        }
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(layer.runningMean), [0.452, 1.424]) <= 1e-6)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(layer.runningVariance), [2.38, 1.389]) <= 1e-6)
        #expect(layer.batchesTracked.scalars == [3])
        #expect(layer.namedBuffers.map(\.name) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
    }

    /// PyTorch's initial values: γ = 1, β = 0, running mean 0, running variance 1.
    @Test func initialValuesArePyTorchDefaults() {
        let layer = BatchNorm(channels: 4)
        #expect(layer.weight.value.scalars == [1, 1, 1, 1])
        #expect(layer.bias.value.scalars == [0, 0, 0, 0])
        #expect(layer.runningMean.scalars == [0, 0, 0, 0])
        #expect(layer.runningVariance.scalars == [1, 1, 1, 1])
        #expect(layer.momentum == 0.1 && layer.epsilon == 1e-5)
    }

    /// Batch statistics of one value per channel are undefined: a 1-d batch of 1 in training (and
    /// fixedStatistics of it) is a typed error, as PyTorch raises; evaluation accepts it.
    @Test func oneValuePerChannelIsATypedErrorInTraining() throws {
        let layer = BatchNorm(channels: 3)
        let x = Tensor(repeating: 1, shape: [1, 3]), y = Tensor(zeros: [1, 3])
        #expect(throws: BatchNormError.singleValuePerChannel(operation: "training forward", shape: [1, 3])) {
            try layer.forward(x, into: y, mode: .training(updatingRunningStatistics: true))
        }
        #expect(throws: BatchNormError.singleValuePerChannel(operation: "fixedStatistics", shape: [1, 3])) {
            try layer.fixedStatistics(of: x)
        }
        #expect(layer.runningMean.scalars == [0, 0, 0])
        try layer.forward(x, into: y, mode: .evaluation)
    }

    /// Each forward's state lives in its own `Saved`: a second forward of the same layer, saved
    /// elsewhere, leaves the first one's VJP unchanged (bit for bit).
    @Test func savedStatesAreIndependent() throws {
        let f = try Fixture(shape: [3, 3, 5, 3], seed: 17)
        var generator = RandomGenerator(seed: 18)
        let other = Tensor(zeros: f.x.shape), dy = Tensor(zeros: f.x.shape)
        other.fillUniform(-3..<3, using: &generator)
        dy.fillUniform(-1..<1, using: &generator)
        let first = BatchNorm.Saved(channels: 3), second = BatchNorm.Saved(channels: 3)
        func gradient(after forwards: () throws -> Void) throws -> [Float] {
            try forwards()
            let dx = Tensor(zeros: f.x.shape)
            try f.layer.backward(outputGradient: dy, saved: first, inputGradient: dx)
            return dx.scalars
        }
        let training = BatchNorm.Mode.training(updatingRunningStatistics: false)
        let alone = try gradient { try f.layer.forward(f.x, into: Tensor(zeros: f.x.shape), mode: training, saving: first) }
        let interleaved = try gradient {
            try f.layer.forward(f.x, into: Tensor(zeros: f.x.shape), mode: training, saving: first)
            try f.layer.forward(other, into: Tensor(zeros: f.x.shape), mode: .evaluation, saving: second)
        }
        #expect(alone == interleaved)
        #expect(second.usedBatchStatistics == false && first.usedBatchStatistics)
    }

    @Test func shapeErrorsAreTyped() throws {
        let layer = BatchNorm(channels: 3)
        let saved = BatchNorm.Saved(channels: 3)
        #expect(throws: BatchNormError.backwardWithoutForward) {
            try layer.backward(outputGradient: Tensor(zeros: [2, 3]), saved: saved, inputGradient: Tensor(zeros: [2, 3]))
        }
        #expect(throws: BatchNormError.invalidInputShape(channels: 3, shape: [2, 4])) {
            try layer.forward(Tensor(zeros: [2, 4]), into: Tensor(zeros: [2, 4]), mode: .evaluation)
        }
        #expect(throws: BatchNormError.invalidInputShape(channels: 3, shape: [2, 3, 4])) {
            try layer.forward(Tensor(zeros: [2, 3, 4]), into: Tensor(zeros: [2, 3, 4]), mode: .evaluation)
        }
        #expect(throws: BatchNormError.shapeMismatch(operation: "forward output", expected: [2, 3], actual: [3, 3])) {
            try layer.forward(Tensor(zeros: [2, 3]), into: Tensor(zeros: [3, 3]), mode: .evaluation)
        }
        let wrongStatistics = BatchNorm.Statistics(mean: Tensor(zeros: [2]), standardDeviation: Tensor(zeros: [3]))
        #expect(throws: BatchNormError.shapeMismatch(operation: "fixed statistics", expected: [3], actual: [2])) {
            try layer.forward(Tensor(zeros: [2, 3]), into: Tensor(zeros: [2, 3]), mode: .fixed(wrongStatistics))
        }
        try layer.forward(Tensor(zeros: [2, 3, 2, 2]), into: Tensor(zeros: [2, 3, 2, 2]), mode: .evaluation, saving: saved)
        #expect(throws: BatchNormError.shapeMismatch(
            operation: "backward output gradient (shape of the last forward)", expected: [2, 3, 2, 2], actual: [3, 3, 2, 2])) {
            try layer.backward(outputGradient: Tensor(zeros: [3, 3, 2, 2]), saved: saved,
                               inputGradient: Tensor(zeros: [3, 3, 2, 2]))
        }
        #expect(throws: BatchNormError.shapeMismatch(operation: "backward input gradient", expected: [2, 3, 2, 2], actual: [2, 3, 4])) {
            try layer.backward(outputGradient: Tensor(zeros: [2, 3, 2, 2]), saved: saved, inputGradient: Tensor(zeros: [2, 3, 4]))
        }
        #expect(throws: BatchNormError.shapeMismatch(operation: "saved state", expected: [3], actual: [2])) {
            try layer.forward(Tensor(zeros: [2, 3]), into: Tensor(zeros: [2, 3]), mode: .evaluation,
                              saving: BatchNorm.Saved(channels: 2))
        }
    }
}
