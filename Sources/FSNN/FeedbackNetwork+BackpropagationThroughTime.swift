import Foundation
import Layers
import Tensor

extension FeedbackNetwork {
    /// STBP's backward (spec §10): back-propagates ∂L/∂a_L[T] through the T steps `history`
    /// recorded, into the parameter gradients. From t = T down to 1, with the readout's direct
    /// gradient g·λ^{T−t}/Λ_T of s_L[t]:
    ///
    ///     δs_L[t] = g·λ^{T−t}/Λ_T + Wᵀ(m_W ⊙ δm₁[t+1])       (the feedback reaches layer 1 at t + 1)
    ///     ∂L/∂W_eff += (m_W ⊙ δm₁[t+1]) ⊗ s_L[t]
    ///     for l = L…2:  δm_l[t] by the population's backward step, then F_l's VJP at step t
    ///                   (BN with that step's batch statistics) gives δs_{l−1}[t]
    ///     δm₁[t] by the backward step; δI[t] = δm₁[t]
    ///
    /// δI is summed over t for a static current (one BN/F₁ backward at the end), or pushed through
    /// the fixed-statistics BN and F₁ of each step for spike input.
    public func backwardThroughTime(_ history: SimulationHistory, rateGradient: Tensor) throws {
        let w = try currentWorkspace("backwardThroughTime before simulateRecordingHistory")
        let g = try rateGradient.reshaped(w.rate.shape)
        for layer in w.layers { layer.membraneGradient.fill(0) }
        let first = w.layers[0], output = w.layers[last]
        let inputGradient = first.map
        inputGradient.fill(0)
        let normaliser = rateNormaliser, lambda = neuron.lambda
        for t in stride(from: timeSteps, through: 1, by: -1) {
            try output.spikeGradient.assign(g)
            output.spikeGradient.scale(by: pow(lambda, Float(timeSteps - t)) / normaliser)
            if t < timeSteps {
                try first.maskedNext.assign(first.membraneGradient)
                if let mask = feedback.dropout.mask { try first.maskedNext.multiply(by: mask) }
                try feedback.applyTransposed(first.maskedNext, into: output.feedbackGradient)
                try output.spikeGradient.add(output.feedbackGradient)
                history.spikes(layer: last, step: t, threshold: threshold, into: output.spikes)
                try feedback.accumulateGradient(input: output.spikes, maskedOutputGradient: first.maskedNext)
            }
            for l in stride(from: last, through: 1, by: -1) {
                let layer = w.layers[l], previous = w.layers[l - 1], block = loop[l - 1]
                populations[l].backwardStep(membrane: history.membrane(layer: l, step: t),
                                            spikeGradient: layer.spikeGradient, membraneGradient: layer.membraneGradient,
                                            surrogate: history.surrogate)
                try block.norm.forward(try history.preactivation(layer: l, step: t), into: layer.scratch,
                                       mode: .training(updatingRunningStatistics: false), saving: layer.saved)
                try layer.gradient.assign(layer.membraneGradient)
                history.spikes(layer: l - 1, step: t, threshold: threshold, into: previous.spikes)
                try block.backward(input: previous.spikes, outputGradient: layer.gradient, saved: layer.saved,
                                   scratch: layer.scratch, inputGradient: previous.spikeGradient)
            }
            populations[0].backwardStep(membrane: history.membrane(layer: 0, step: t),
                                        spikeGradient: first.spikeGradient, membraneGradient: first.membraneGradient,
                                        surrogate: history.surrogate)
            try accumulateCurrentGradient(first.membraneGradient, step: t, history: history, into: inputGradient,
                                          workspace: w)
        }
        if case let .image(x) = history.current.batch {
            try input.backward(input: x, outputGradient: inputGradient, saved: first.saved, scratch: first.scratch,
                               inputGradient: nil)
        }
        try feedback.finishBackward()
    }

    /// δI[t] = δm₁[t]: summed into `sum` for a static current, or pushed through the
    /// fixed-statistics BN and F₁ of step t for spike input.
    private func accumulateCurrentGradient(_ gradient: Tensor, step t: Int, history: SimulationHistory, into sum: Tensor,
                                           workspace w: NetworkWorkspace) throws {
        guard let statistics = history.current.fixedStatistics else {
            try sum.add(gradient)
            return
        }
        let first = w.layers[0]
        try history.current.loadFrame(step: t)
        try input.norm.forward(try history.preactivation(layer: 0, step: t), into: first.current,
                               mode: .fixed(statistics), saving: first.saved)
        try first.scratch.assign(gradient)
        try input.backward(input: w.frame, outputGradient: first.scratch, saved: first.saved, scratch: first.current,
                           inputGradient: nil)
    }
}
