import Tensor

/// Errors of `BatchNorm`; each names the layer's channel count or the offending shape.
public enum BatchNormError: Error, Equatable, CustomStringConvertible {
    /// The input is neither [N, C] nor [N, C, H, W] with the layer's C.
    case invalidInputShape(channels: Int, shape: [Int])
    /// Batch statistics need more than one value per channel (N·H·W > 1); PyTorch raises here too.
    case singleValuePerChannel(operation: String, shape: [Int])
    /// An output, gradient or statistics tensor does not have the shape the operation needs.
    case shapeMismatch(operation: String, expected: [Int], actual: [Int])
    /// `backward` was called before any `forward`.
    case backwardWithoutForward

    public var description: String {
        switch self {
        case let .invalidInputShape(channels, shape):
            return "BatchNorm(\(channels) channels): input shape \(Tensor.describe(shape)) is neither "
                + "[N, \(channels)] nor [N, \(channels), H, W]"
        case let .singleValuePerChannel(operation, shape):
            return "BatchNorm \(operation): input shape \(Tensor.describe(shape)) has one value per channel; "
                + "batch statistics need N·H·W > 1"
        case let .shapeMismatch(operation, expected, actual):
            return "BatchNorm \(operation): expected shape \(Tensor.describe(expected)), got \(Tensor.describe(actual))"
        case .backwardWithoutForward:
            return "BatchNorm backward: no forward pass to differentiate; call forward(_:into:mode:) first"
        }
    }
}

/// Batch normalisation over the channels of [N, C] (1-d) or [N, C, H, W] (2-d) inputs, with
/// PyTorch's names, defaults and update rule (spec §6.2): y = γ·(x − μ_c)/s_c + β per channel c.
///
/// The mode is an argument of every forward, never hidden state:
/// - `.training`: μ, s from the batch (mean and *biased* variance over N, H, W; s = √(var + ε));
///   optionally updates the running statistics with the *unbiased* batch variance,
///   running = (1 − momentum)·running + momentum·batch;
/// - `.evaluation`: μ, s from the running statistics (a per-channel affine map);
/// - `.fixed`: μ, s from statistics computed beforehand by `fixedStatistics(of:)` (spike input).
///
/// A forward that will be differentiated writes what its VJP needs into a caller-owned `Saved`
/// (x̂, 1/s per channel and whether the statistics came from the batch), which `backward` takes
/// explicitly: after a training forward the VJP includes the batch-statistics terms, after an
/// evaluation or fixed forward it is the per-channel affine map. The caller keeps one `Saved`
/// per forward it differentiates (the IDE map's, a BPTT step's), so forwards of the same layer
/// never overwrite each other's state.
public final class BatchNorm: ParameterContainer {
    /// Where the normalisation statistics of a forward come from.
    public enum Mode {
        case training(updatingRunningStatistics: Bool)
        case evaluation
        case fixed(Statistics)
    }

    /// Per-channel statistics held fixed across the time steps of a simulation (spec §6.2).
    public struct Statistics {
        /// μ_c, shape [C].
        public let mean: Tensor
        /// s_c = √(unbiased variance + 1e-8), shape [C].
        public let standardDeviation: Tensor

        public init(mean: Tensor, standardDeviation: Tensor) {
            self.mean = mean
            self.standardDeviation = standardDeviation
        }
    }

    /// ε added to the unbiased variance by `fixedStatistics(of:)` (the reference's spike-input BN).
    public static let fixedStatisticsEpsilon: Float = 1e-8

    public let channels: Int
    /// Weight of the newest batch in the running statistics (PyTorch: 0.1).
    public let momentum: Float
    /// ε of the training and evaluation modes (PyTorch: 1e-5).
    public let epsilon: Float
    /// γ, shape [C], initialised to 1.
    public let weight: Parameter
    /// β, shape [C], initialised to 0.
    public let bias: Parameter
    /// Shape [C], initialised to 0.
    public let runningMean: Tensor
    /// Shape [C], initialised to 1.
    public let runningVariance: Tensor
    /// Number of running-statistics updates, shape [] (PyTorch keeps an int64; a Float counts
    /// exactly up to 2²⁴ updates).
    public let batchesTracked: Tensor

    /// μ_c and 1/s_c the last forward normalised with, and the biased batch variance of a training forward.
    private let mean: Tensor
    private let inverseStandardDeviation: Tensor
    private let batchVariance: Tensor
    /// Σ dy and Σ dy·x̂ per channel, scratch of `backward`.
    private let gradientSum: Tensor
    private let gradientDotNormalized: Tensor

    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        precondition(channels > 0, "BatchNorm needs at least one channel")
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        weight = Parameter(Tensor(repeating: 1, shape: [channels]))
        bias = Parameter(Tensor(zeros: [channels]))
        runningMean = Tensor(zeros: [channels])
        runningVariance = Tensor(repeating: 1, shape: [channels])
        batchesTracked = Tensor(zeros: [])
        mean = Tensor(zeros: [channels])
        inverseStandardDeviation = Tensor(zeros: [channels])
        batchVariance = Tensor(zeros: [channels])
        gradientSum = Tensor(zeros: [channels])
        gradientDotNormalized = Tensor(zeros: [channels])
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked)]
    }

    // MARK: Forward and backward

    /// y = γ·(x − μ)/s + β with μ, s chosen by `mode`. x: [N, C] or [N, C, H, W]; y: the same shape
    /// (y may be x itself). With `saved`, also x̂ = (x − μ)/s, 1/s and the mode for `backward`.
    public func forward(_ x: Tensor, into y: Tensor, mode: Mode, saving saved: Saved? = nil) throws(BatchNormError) {
        let layout = try ChannelLayout(shape: x.shape, channels: channels)
        guard y.shape == x.shape else { throw .shapeMismatch(operation: "forward output", expected: x.shape, actual: y.shape) }
        let isTraining = try setStatistics(of: x, layout, mode: mode)
        let (xp, yp) = (x.pointer, y.pointer)
        // Without `saved`, x̂ goes to y itself and is overwritten at once: one loop serves both.
        let xHatp = try saved?.prepare(shape: x.shape, inverseStandardDeviation: inverseStandardDeviation,
                                       usedBatchStatistics: isTraining).pointer ?? yp
        let (mu, inverseS, gamma, beta) = (mean.pointer, inverseStandardDeviation.pointer, weight.value.pointer, bias.value.pointer)
        layout.forEachChannelInParallel { c in
            let (m, k, g, b) = (mu[c], inverseS[c], gamma[c], beta[c])
            layout.forEachRun(of: c) { start in
                for i in start..<start + layout.spatial {
                    let value = (xp[i] - m) * k
                    xHatp[i] = value
                    yp[i] = g * value + b
                }
            }
        }
    }

    /// What `forward(x, into:, mode:, saving: saved)` writes into `saved`, without computing the
    /// output: for a backward that replays a forward whose output is gone (a step of STBP or OTTT,
    /// whose simulation normalised without saving). Updates the running statistics only when
    /// `mode` asks.
    public func save(_ x: Tensor, mode: Mode, into saved: Saved) throws(BatchNormError) {
        let layout = try ChannelLayout(shape: x.shape, channels: channels)
        let isTraining = try setStatistics(of: x, layout, mode: mode)
        let xHatp = try saved.prepare(shape: x.shape, inverseStandardDeviation: inverseStandardDeviation,
                                      usedBatchStatistics: isTraining).pointer
        let (xp, mu, inverseS) = (x.pointer, mean.pointer, inverseStandardDeviation.pointer)
        layout.forEachChannelInParallel { c in
            let (m, k) = (mu[c], inverseS[c])
            layout.forEachRun(of: c) { start in
                for i in start..<start + layout.spatial { xHatp[i] = (xp[i] - m) * k }
            }
        }
    }

    /// μ and 1/s of `mode` into `mean` and `inverseStandardDeviation` (updating the running
    /// statistics when a training mode asks); returns whether they are x's batch statistics.
    private func setStatistics(of x: Tensor, _ layout: ChannelLayout, mode: Mode) throws(BatchNormError) -> Bool {
        let isTraining: Bool
        switch mode {
        case let .training(updatingRunningStatistics):
            guard layout.valuesPerChannel > 1 else { throw .singleValuePerChannel(operation: "training forward", shape: x.shape) }
            isTraining = true
            measureBatchStatistics(of: x, layout)
            if updatingRunningStatistics { updateRunningStatistics(valuesPerChannel: layout.valuesPerChannel) }
        case .evaluation:
            isTraining = false
            for c in 0..<channels {
                mean.pointer[c] = runningMean.pointer[c]
                inverseStandardDeviation.pointer[c] = 1 / (runningVariance.pointer[c] + epsilon).squareRoot()
            }
        case let .fixed(statistics):
            for tensor in [statistics.mean, statistics.standardDeviation] where tensor.shape != [channels] {
                throw .shapeMismatch(operation: "fixed statistics", expected: [channels], actual: tensor.shape)
            }
            isTraining = false
            for c in 0..<channels {
                mean.pointer[c] = statistics.mean.pointer[c]
                inverseStandardDeviation.pointer[c] = 1 / statistics.standardDeviation.pointer[c]
            }
        }
        return isTraining
    }

    /// Updates the running statistics from x's batch statistics exactly as a training forward of x
    /// that updates them does, without normalising x (a second application whose output equals
    /// one already computed: the IDE map's BN₁ on the simulation's F₁x, spec §4.3).
    public func updateRunningStatistics(from x: Tensor) throws(BatchNormError) {
        _ = try setStatistics(of: x, try ChannelLayout(shape: x.shape, channels: channels),
                              mode: .training(updatingRunningStatistics: true))
    }

    /// VJP of the forward that wrote `saved`: writes dx and adds Σ dy·x̂ to γ's gradient and Σ dy
    /// to β's (unless `accumulatingParameterGradients` is false: a Jacobian product). After a
    /// training forward (M = N·H·W values per channel), dx = γ/s · (dy − Σdy/M − x̂·Σ(dy·x̂)/M);
    /// after an evaluation or fixed forward, dx = γ/s · dy. dy, dx: the forward's input shape
    /// (dx may be dy itself).
    public func backward(outputGradient dy: Tensor, saved: Saved, inputGradient dx: Tensor,
                         accumulatingParameterGradients: Bool = true) throws(BatchNormError) {
        guard let xHat = saved.normalized else { throw .backwardWithoutForward }
        guard dy.shape == xHat.shape else {
            throw .shapeMismatch(operation: "backward output gradient (shape of the last forward)", expected: xHat.shape, actual: dy.shape)
        }
        guard dx.shape == xHat.shape else { throw .shapeMismatch(operation: "backward input gradient", expected: xHat.shape, actual: dx.shape) }
        let layout = try ChannelLayout(shape: dy.shape, channels: channels)
        let batchTerms: Float = saved.usedBatchStatistics ? 1 / Float(layout.valuesPerChannel) : 0
        let (dyp, dxp, xHatp) = (dy.pointer, dx.pointer, xHat.pointer)
        let (inverseS, gamma) = (saved.inverseStandardDeviation.pointer, weight.value.pointer)
        let (sums, dots) = (gradientSum.pointer, gradientDotNormalized.pointer)
        layout.forEachChannelInParallel { c in
            var sum: Float = 0, dot: Float = 0
            layout.forEachRun(of: c) { start in
                if layout.spatial == 1 {
                    sum += dyp[start]
                    dot += dyp[start] * xHatp[start]
                } else {
                    sum += VectorKernels.sum(dyp + start, layout.spatial)
                    dot += VectorKernels.dot(dyp + start, xHatp + start, layout.spatial)
                }
            }
            sums[c] = sum
            dots[c] = dot
            let k = gamma[c] * inverseS[c], meanGradient = sum * batchTerms, meanDot = dot * batchTerms
            layout.forEachRun(of: c) { start in
                for i in start..<start + layout.spatial {
                    dxp[i] = k * (dyp[i] - meanGradient - xHatp[i] * meanDot)
                }
            }
        }
        guard accumulatingParameterGradients else { return }
        VectorKernels.add(weight.gradient.pointer, dots, channels)
        VectorKernels.add(bias.gradient.pointer, sums, channels)
    }

    // MARK: Statistics

    /// Statistics for `.fixed` from x (the time-averaged input current, spec §6.2): per channel
    /// the mean over (N, H, W) and s = √(unbiased variance + 1e-8).
    public func fixedStatistics(of x: Tensor) throws(BatchNormError) -> Statistics {
        let layout = try ChannelLayout(shape: x.shape, channels: channels)
        guard layout.valuesPerChannel > 1 else { throw .singleValuePerChannel(operation: "fixedStatistics", shape: x.shape) }
        let statistics = Statistics(mean: Tensor(zeros: [channels]), standardDeviation: Tensor(zeros: [channels]))
        let (mu, s, xp) = (statistics.mean.pointer, statistics.standardDeviation.pointer, x.pointer)
        let denominator = Float(layout.valuesPerChannel - 1)
        layout.forEachChannelInParallel { c in
            let moments = layout.moments(of: xp, channel: c)
            mu[c] = moments.mean
            s[c] = (moments.sumOfSquaredDeviations / denominator + Self.fixedStatisticsEpsilon).squareRoot()
        }
        return statistics
    }

    /// Batch mean, biased variance and 1/√(var + ε) per channel into `mean`, `batchVariance`,
    /// `inverseStandardDeviation`.
    private func measureBatchStatistics(of x: Tensor, _ layout: ChannelLayout) {
        let (mu, variance, inverseS, xp) = (mean.pointer, batchVariance.pointer, inverseStandardDeviation.pointer, x.pointer)
        let count = Float(layout.valuesPerChannel), epsilon = epsilon
        layout.forEachChannelInParallel { c in
            let moments = layout.moments(of: xp, channel: c)
            mu[c] = moments.mean
            variance[c] = moments.sumOfSquaredDeviations / count
            inverseS[c] = 1 / (variance[c] + epsilon).squareRoot()
        }
    }

    /// running = (1 − m)·running + m·batch, with the unbiased variance var·M/(M − 1) (PyTorch).
    private func updateRunningStatistics(valuesPerChannel m: Int) {
        let correction = Float(m) / Float(m - 1)
        for c in 0..<channels {
            runningMean.pointer[c] = (1 - momentum) * runningMean.pointer[c] + momentum * mean.pointer[c]
            runningVariance.pointer[c] = (1 - momentum) * runningVariance.pointer[c]
                + momentum * batchVariance.pointer[c] * correction
        }
        batchesTracked.pointer[0] += 1
    }
}

/// How the values of one channel lie in an [N, C] or [N, C, H, W] tensor: N contiguous runs of
/// H·W values, run n starting at (n·C + c)·H·W.
private struct ChannelLayout {
    let batch: Int
    let channels: Int
    /// H·W (1 for [N, C]).
    let spatial: Int

    init(shape: [Int], channels: Int) throws(BatchNormError) {
        guard shape.count == 2 || shape.count == 4, shape[1] == channels else {
            throw .invalidInputShape(channels: channels, shape: shape)
        }
        batch = shape[0]
        self.channels = channels
        spatial = shape.dropFirst(2).reduce(1, *)
    }

    /// M = N·H·W, the values that one channel's statistics run over.
    var valuesPerChannel: Int { batch * spatial }

    @inline(__always)
    func forEachRun(of channel: Int, _ body: (Int) -> Void) {
        for n in 0..<batch { body((n * channels + channel) * spatial) }
    }

    /// Runs `body` for every channel; channels are split over the workers when there is enough
    /// work (each channel's result is independent of the split, so results are reproducible).
    func forEachChannelInParallel(_ body: (Int) -> Void) {
        let minimumChannels = max(1, (1 << 18) / max(valuesPerChannel, 1))
        Parallel.forEachChunk(channels, minimumChunk: minimumChannels) { range in
            for c in range { body(c) }
        }
    }

    /// Mean and Σ(x − mean)² of one channel, in two passes (the centred sum is accurate even when
    /// the mean is large against the spread).
    func moments(of x: UnsafePointer<Float>, channel c: Int) -> (mean: Float, sumOfSquaredDeviations: Float) {
        if spatial == 1 {
            // [N, C]: the channel is a strided column; plain loops beat a kernel call per element.
            var total: Float = 0
            for n in 0..<batch { total += x[n * channels + c] }
            let mean = total / Float(batch)
            var squares: Float = 0
            for n in 0..<batch {
                let d = x[n * channels + c] - mean
                squares += d * d
            }
            return (mean, squares)
        }
        var total: Float = 0
        forEachRun(of: c) { total += VectorKernels.sum(x + $0, spatial) }
        let mean = total / Float(valuesPerChannel)
        var squares: Float = 0
        forEachRun(of: c) { squares += sumOfSquaredDeviations(x + $0, spatial, from: mean) }
        return (mean, squares)
    }
}

/// Σ (x − centre)² with SIMD accumulators (see `VectorKernels.sum`).
@inline(__always)
private func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, _ n: Int, from centre: Float) -> Float {
    var accumulator = SIMD16<Float>()
    let c = SIMD16<Float>(repeating: centre)
    var i = 0
    while i + 16 <= n {
        let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - c
        accumulator += d * d
        i += 16
    }
    var total = accumulator.sum()
    while i < n {
        let d = x[i] - centre
        total += d * d
        i += 1
    }
    return total
}
