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
    /// (both [B] + neuron shape, as pointers to `membrane.count` floats). Returns the step's
    /// membrane m[t] in `preSpikeMembrane` when given (STBP stores it).
    public func step(input: UnsafePointer<Float>, feedback: UnsafePointer<Float>? = nil,
                     feedbackMask: UnsafePointer<Float>? = nil,
                     preSpikeMembrane: UnsafeMutablePointer<Float>? = nil) {
        let n = membrane.count, lambda = neuron.lambda, vth = threshold
        let v = membrane.pointer, s = spikes.pointer, a = accumulator.pointer
        @inline(__always) func fire(_ i: Int, _ m: Float) {
            preSpikeMembrane?[i] = m
            let spike: Float = m >= vth ? 1 : 0
            s[i] = spike
            v[i] = lambda * (m - vth * spike)
            a[i] = lambda * a[i] + spike
        }
        switch (feedback, feedbackMask) {
        case let (f?, mask?): for i in 0..<n { fire(i, v[i] + f[i] * mask[i] + input[i]) }
        case let (f?, nil): for i in 0..<n { fire(i, v[i] + f[i] + input[i]) }
        default: for i in 0..<n { fire(i, v[i] + input[i]) }
        }
        let spikes = VectorKernels.sum(s, n)
        spikeCount += Double(spikes)
        density = n > 0 ? spikes / Float(n) : 0
        stepCount += 1
    }

    /// The VJP of `step` for STBP (spec §10), run backwards from t = T. With
    /// v[t] = λ(m[t] − V_th s[t]), m[t+1] = v[t] + (input of step t+1) and the surrogate ∂s/∂m:
    ///
    ///     δs[t] = (direct gradient of s[t]) + (gradient through the synapses it drives)
    ///             − λ V_th δv[t]                       (the reset path, unless detached)
    ///     δm[t] = λ δv[t] + δs[t] · ∂s/∂m(m[t])
    ///     δv[t−1] = δm[t]
    ///
    /// `spikeGradient` holds δs[t] without the reset path; `membraneGradient` holds δv[t] = δm[t+1]
    /// on entry (0 at t = T) and δm[t] = δv[t−1] on return; m is the stored m[t]. All [B] + shape.
    public func backwardStep(membrane m: UnsafePointer<Float>, spikeGradient: Tensor, membraneGradient: Tensor,
                             surrogate: SpikeSurrogate) {
        let n = membraneGradient.count, lambda = neuron.lambda, vth = threshold
        let dm = membraneGradient.pointer, ds = spikeGradient.pointer
        let reset: Float = surrogate.detachReset ? 0 : -lambda * vth
        for i in 0..<n {
            let dv = dm[i]
            dm[i] = lambda * dv + (ds[i] + reset * dv) * surrogate.derivative(membrane: m[i], threshold: vth)
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

