import Tensor

/// The BPTT recursion of one population (spec §10) run backwards from t = T. With
/// v[t] = λ(m[t] − V_th s[t]) and m[t+1] = v[t] + (input of step t+1):
///
///     δs[t] = (direct gradient of s[t]) + (gradient through the synapses it drives)
///             − λ V_th δv[t]                       (the reset path, unless detached)
///     δm[t] = λ δv[t] + δs[t] · ∂s/∂m(m[t])        (the surrogate)
///     δv[t−1] = δm[t]
///
/// so one buffer holds δm[t], which is also δv[t−1] for the next (earlier) step.
final class TimeReversal {
    /// δs[t], assembled by the caller before `step`.
    let spikeGradient: Tensor
    /// δm[t] after `step` (and δv[t−1] for the next call); zero before the first call (t = T).
    let membraneGradient: Tensor
    /// m_s ⊙ δm[t+1], the masked gradient reaching the synapses driven by s[t].
    let maskedNext: Tensor
    /// Wᵀ(m_s ⊙ δm[t+1]).
    let feedbackGradient: Tensor
    /// s[t] recomputed from the stored membrane.
    let spikes: Tensor

    init(shape: [Int]) {
        spikeGradient = Tensor(zeros: shape)
        membraneGradient = Tensor(zeros: shape)
        maskedNext = Tensor(zeros: shape)
        feedbackGradient = Tensor(zeros: shape)
        spikes = Tensor(zeros: shape)
    }

    /// Zeroes δm before a new backward pass (δm[T+1] = 0, δv[T] = 0).
    func reset() {
        membraneGradient.fill(0)
    }

    /// δs[t] = weight · g (the readout's gradient of s[t]: g·λ^{T−t}/Λ_T).
    func directSpikeGradient(_ g: Tensor, weight: Float) throws {
        try spikeGradient.assign(g)
        spikeGradient.scale(by: weight)
    }

    /// maskedNext = mask ⊙ δm[t+1] (δm[t+1] is still in `membraneGradient`).
    func maskNextMembraneGradient(_ mask: Tensor?) throws {
        try maskedNext.assign(membraneGradient)
        if let mask { try maskedNext.multiply(by: mask) }
    }

    /// δm[t] from δs[t] and δv[t] (the buffer's previous content) at membrane m[t].
    func step(membrane m: UnsafePointer<Float>, surrogate: SpikeSurrogate, lambda: Float, threshold: Float) {
        let n = membraneGradient.count
        let dm = membraneGradient.pointer, ds = spikeGradient.pointer
        let reset: Float = surrogate.detachReset ? 0 : -lambda * threshold
        for i in 0..<n {
            let dv = dm[i]
            dm[i] = lambda * dv + (ds[i] + reset * dv) * surrogate.derivative(membrane: m[i], threshold: threshold)
        }
    }
}
