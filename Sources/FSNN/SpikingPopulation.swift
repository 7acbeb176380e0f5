import Foundation
import Tensor

/// The state of one population of IF/LIF neurons over a batch, and its time step (spec §2.1–2.3):
///
///     m[t] = v[t−1] + (feedback mask ⊙ feedback[t]) + input[t]
///     s[t] = H(m[t] − V_th)
///     v[t] = λ·(m[t] − V_th·s[t])
///     A[t] = λ·A[t−1] + s[t]
///
/// with v[0] = 0 and A[0] = 0, so the first step is m[1] = input[1] exactly as §2.1. The rate is
/// a[T] = A[T]/Λ_T with Λ_T = Σ_{k<T} λ^k (T for IF). Buffers are allocated once per batch shape;
/// `step` allocates nothing. `backwardStep` next to it is the step's VJP for STBP (spec §10).
public final class SpikingPopulation {
    public let neuron: NeuronModel
    public let threshold: Float
    /// Post-reset (and leaked) membrane potential v, shape [B] + neuron shape.
    public private(set) var membrane: Tensor
    /// Spikes s[t] of the last step (0 or 1).
    public private(set) var spikes: Tensor
    /// λ-weighted spike count A.
    public private(set) var accumulator: Tensor
    /// Total spikes emitted since `reset` (for firing-rate statistics and SOPs).
    public private(set) var spikeCount: Double = 0
    /// Fraction of the population that spiked in the last step.
    public private(set) var density: Float = 0
    /// Steps taken since `reset`.
    public private(set) var stepCount = 0

    public init(neuron: NeuronModel, threshold: Float, shape: [Int]) {
        self.neuron = neuron
        self.threshold = threshold
        membrane = Tensor(zeros: shape)
        spikes = Tensor(zeros: shape)
        accumulator = Tensor(zeros: shape)
    }

    public var shape: [Int] { membrane.shape }

    /// Zeroes the state for a new simulation, reallocating only when the shape changes.
    public func reset(shape: [Int]) {
        if shape != membrane.shape {
            membrane = Tensor(zeros: shape)
            spikes = Tensor(zeros: shape)
            accumulator = Tensor(zeros: shape)
        } else {
            membrane.fill(0)
            spikes.fill(0)
            accumulator.fill(0)
        }
        spikeCount = 0
        density = 0
        stepCount = 0
    }

    /// One time step with total input current `input` and an optional masked `feedback` current
    /// (both [B] + neuron shape, as pointers to `membrane.count` floats); `recording` stores what
    /// STBP needs of m[t]. Large populations are split across the `Parallel` workers (the spike
    /// count is a sum of 0s and 1s, exact in any order below 2²⁴ per chunk).
    public func step(input: UnsafePointer<Float>, feedback: UnsafePointer<Float>? = nil,
                     feedbackMask: UnsafePointer<Float>? = nil, recording: some StepRecording = NoRecording()) {
        let n = membrane.count, lambda = neuron.lambda, vth = threshold
        let v = membrane.pointer, s = spikes.pointer, a = accumulator.pointer
        @inline(__always) func fire(_ i: Int, _ m: Float) {
            recording.record(i, membrane: m)
            let spike: Float = m >= vth ? 1 : 0
            s[i] = spike
            v[i] = lambda * (m - vth * spike)
            a[i] = lambda * a[i] + spike
        }
        let chunks = Parallel.workers(for: n, minimumChunk: Self.elementsPerWorker)
        var sums = [Float](repeating: 0, count: chunks)
        sums.withUnsafeMutableBufferPointer { sums in
            Parallel.forEachWorkerChunk(n, workers: chunks) { worker, range in
                switch (feedback, feedbackMask) {
                case let (f?, mask?): for i in range { fire(i, v[i] + f[i] * mask[i] + input[i]) }
                case let (f?, nil): for i in range { fire(i, v[i] + f[i] + input[i]) }
                default: for i in range { fire(i, v[i] + input[i]) }
                }
                sums[worker] = VectorKernels.sum(s + range.lowerBound, range.count)
            }
        }
        let spikes = sums.reduce(0, +)
        spikeCount += Double(spikes)
        density = n > 0 ? spikes / Float(n) : 0
        stepCount += 1
    }

    /// Neurons a worker must get before a step is split: about 0.5 ms of work (spec notes: a
    /// worker takes about 50 µs to wake).
    static let elementsPerWorker = 1 << 18

    /// The VJP of `step` for STBP (spec §10), run backwards from t = T. With
    /// v[t] = λ(m[t] − V_th s[t]), m[t+1] = v[t] + (input of step t+1) and the surrogate ∂s/∂m:
    ///
    ///     δs[t] = (direct gradient of s[t]) + (gradient through the synapses it drives)
    ///             − λ V_th δv[t]                       (the reset path, unless detached)
    ///     δm[t] = λ δv[t] + e[t],   e[t] = (δs[t] − λ V_th δv[t]) · ∂s/∂m(m[t])
    ///     δv[t−1] = δm[t]
    ///
    /// e[t] vanishes outside the surrogate's window, so δm[t] = λ δm[t+1] + e[t] changes sparsely.
    /// `spikeGradient` holds δs[t] without the reset path; `membraneGradient` holds δv[t] = δm[t+1]
    /// on entry (0 at t = T) and δm[t] = δv[t−1] on return; `record` is step t's. With
    /// `increment`, mask ⊙ e[t] is written there (mask optional) and its density returned. All
    /// [B] + shape.
    @discardableResult
    public func backwardStep(_ record: StepRecord, spikeGradient: Tensor, membraneGradient: Tensor,
                             surrogate: SpikeSurrogate, increment: Tensor? = nil, mask: Tensor? = nil) -> Float {
        switch record {
        case let .membranes(m):
            return backwardStep(spikeGradient: spikeGradient, membraneGradient: membraneGradient, surrogate: surrogate,
                                increment: increment, mask: mask) { surrogate.derivative(membrane: m[$0], threshold: threshold) }
        case let .codes(codes):
            let slope = 1 / surrogate.parameter
            return backwardStep(spikeGradient: spikeGradient, membraneGradient: membraneGradient, surrogate: surrogate,
                                increment: increment, mask: mask) { codes[$0] & StepCodes.window != 0 ? slope : 0 }
        }
    }

    @inline(__always)
    private func backwardStep(spikeGradient: Tensor, membraneGradient: Tensor, surrogate: SpikeSurrogate,
                              increment: Tensor?, mask: Tensor?, derivative: (Int) -> Float) -> Float {
        let n = membraneGradient.count, lambda = neuron.lambda, vth = threshold
        let dm = membraneGradient.pointer, ds = spikeGradient.pointer
        let reset: Float = surrogate.detachReset ? 0 : -lambda * vth
        guard let increment else {
            Parallel.forEachChunk(n, minimumChunk: Self.elementsPerWorker) { range in
                for i in range {
                    let dv = dm[i]
                    dm[i] = lambda * dv + (ds[i] + reset * dv) * derivative(i)
                }
            }
            return .nan
        }
        let out = increment.pointer, keep = mask?.pointer
        let chunks = Parallel.workers(for: n, minimumChunk: Self.elementsPerWorker)
        var nonZero = [Int](repeating: 0, count: chunks)
        nonZero.withUnsafeMutableBufferPointer { counts in
            Parallel.forEachWorkerChunk(n, workers: chunks) { worker, range in
                var count = 0
                for i in range {
                    let dv = dm[i]
                    let e = (ds[i] + reset * dv) * derivative(i)
                    dm[i] = lambda * dv + e
                    let masked = keep.map { e * $0[i] } ?? e
                    out[i] = masked
                    count += masked != 0 ? 1 : 0
                }
                counts[worker] = count
            }
        }
        return n > 0 ? Float(nonZero.reduce(0, +)) / Float(n) : 0
    }

    /// The VJP of `step` with every temporal path cut (OTTT, spec §13.3): the membrane's past
    /// v[t−1] and the reset are constants of the backward, so δm[t] = scale · δs[t] · ∂s/∂m(m[t]),
    /// written over δs[t] in `gradient` ([B] + shape); `record` is step t's.
    public func backwardWithinStep(_ record: StepRecord, gradient: Tensor, surrogate: SpikeSurrogate, scale: Float) {
        let g = gradient.pointer, vth = threshold
        Parallel.forEachChunk(gradient.count, minimumChunk: Self.elementsPerWorker) { range in
            switch record {
            case let .membranes(m):
                for i in range { g[i] *= scale * surrogate.derivative(membrane: m[i], threshold: vth) }
            case let .codes(codes):
                let slope = scale / surrogate.parameter
                for i in range { g[i] = codes[i] & StepCodes.window != 0 ? g[i] * slope : 0 }
            }
        }
    }

    /// Writes the rate a = A/Λ_T for the steps taken so far into `rate`.
    public func rate(into rate: Tensor) throws(TensorError) {
        try rate.assign(accumulator)
        rate.scale(by: 1 / Self.normaliser(neuron: neuron, steps: stepCount))
    }

    /// Λ_T = Σ_{k=0}^{T−1} λ^k = (1 − λ^T)/(1 − λ), or T for IF (spec §2.3, §12.2).
    public static func normaliser(neuron: NeuronModel, steps: Int) -> Float {
        let lambda = Double(neuron.lambda)
        guard lambda != 1 else { return Float(steps) }
        return Float((1 - pow(lambda, Double(steps))) / (1 - lambda))
    }
}

