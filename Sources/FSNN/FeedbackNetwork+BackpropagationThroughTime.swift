import Foundation
import Layers
import Tensor

/// The BPTT's element-wise passes over [B] + layer shape, fused and split across the workers.
private enum Elementwise {
    static let minimumChunk = SpikingPopulation.elementsPerWorker

    /// out = g·weight + carried
    static func directSpikeGradient(_ g: Tensor, weight: Float, plus carried: Tensor, into out: Tensor) {
        let (x, c, o) = (g.pointer, carried.pointer, out.pointer)
        Parallel.forEachChunk(out.count, minimumChunk: minimumChunk) { range in
            for i in range { o[i] = x[i] * weight + c[i] }
        }
    }

    /// out = x ⊙ mask (x itself without a mask)
    static func product(_ x: Tensor, _ mask: Tensor?, into out: Tensor) {
        let (source, o) = (x.pointer, out.pointer)
        guard let m = mask?.pointer else { return o.update(from: source, count: out.count) }
        Parallel.forEachChunk(out.count, minimumChunk: minimumChunk) { range in
            for i in range { o[i] = source[i] * m[i] }
        }
    }

    /// y = alpha·y + x
    static func scaleAndAdd(_ y: Tensor, _ alpha: Float, _ x: Tensor) {
        let (target, source) = (y.pointer, x.pointer)
        Parallel.forEachChunk(y.count, minimumChunk: minimumChunk) { range in
            VectorKernels.scaleAndAdd(target + range.lowerBound, alpha, source + range.lowerBound, range.count)
        }
    }
}

extension FeedbackNetwork {
    /// STBP's backward (spec §10): back-propagates ∂L/∂a_L[T] ([B, D]) through the T steps of
    /// `simulation` that `history` recorded, into the parameter gradients, in `buffers`. From
    /// t = T down to 1, with the readout's direct gradient g·λ^{T−t}/Λ_T of s_L[t] and
    /// P[t] = Wᵀ(m_W ⊙ δm₁[t+1]), the gradient the feedback carries back from layer 1 at t + 1:
    ///
    ///     δs_L[t] = g·λ^{T−t}/Λ_T + P[t]
    ///     ∂L/∂W_eff += (m_W ⊙ δm₁[t+1]) ⊗ s_L[t]
    ///     for l = L…2:  δm_l[t] by the population's backward step, then F_l's VJP at step t
    ///                   (BN with that step's batch statistics) gives δs_{l−1}[t]
    ///     δm₁[t] = λ δm₁[t+1] + e₁[t] by the backward step; δI[t] = δm₁[t]
    ///     P[t−1] = λ P[t] + Wᵀ(m_W ⊙ e₁[t])
    ///
    /// The last line is P's definition unrolled (W and m_W are the same at every step): e₁[t]
    /// vanishes outside the surrogate's window, so the feedback's adjoint costs what its non-zero
    /// entries cost, and the feedback's weight gradient what s_L[t]'s spikes cost (both
    /// event-driven below their crossovers, `EventDrivenProducts`). δI is summed over t for a
    /// static current (one BN/F₁ backward at the end), or pushed through the fixed-statistics BN
    /// and F₁ of each step for spike input.
    func backwardThroughTime(_ simulation: Simulation, history: SimulationHistory, rateGradient: Tensor,
                             buffers: BackpropagationBuffers) throws {
        let g = try rateGradient.reshaped(simulation.outputRate.shape)
        for layer in buffers.layers { layer.membraneGradient.fill(0) }
        let first = buffers.layers[0], output = buffers.layers[last]
        let carried = output.feedbackGradient
        carried.fill(0)
        let currentGradient = first.currentGradient
        currentGradient.fill(0)
        let normaliser = rateNormaliser, lambda = neuron.lambda
        for t in stride(from: timeSteps, through: 1, by: -1) {
            try checkInterruption("the backward pass through time at step \(t) of \(timeSteps)")
            Elementwise.directSpikeGradient(g, weight: pow(lambda, Float(timeSteps - t)) / normaliser, plus: carried,
                                            into: output.spikeGradient)
            if t < timeSteps {
                Elementwise.product(first.membraneGradient, feedback.dropout.mask, into: first.maskedNext)
                history.spikes(layer: last, step: t, into: output.spikes)
                try feedback.accumulateGradient(spikes: output.spikes, density: history.density(layer: last, step: t),
                                                maskedOutputGradient: first.maskedNext)
            }
            for l in stride(from: last, through: 1, by: -1) {
                let layer = buffers.layers[l], previous = buffers.layers[l - 1], block = loop[l - 1]
                populations[l].backwardStep(history.record(layer: l, step: t), spikeGradient: layer.spikeGradient,
                                            membraneGradient: layer.membraneGradient, surrogate: history.surrogate)
                try block.norm.save(try history.preactivation(layer: l, step: t),
                                    mode: .training(updatingRunningStatistics: false), into: layer.saved)
                try layer.blockGradient.assign(layer.membraneGradient)
                history.spikes(layer: l - 1, step: t, into: previous.spikes)
                try block.backward(sparseInput: previous.spikes, binary: true,
                                   density: history.density(layer: l - 1, step: t), outputGradient: layer.blockGradient,
                                   saved: layer.saved, inputGradient: previous.spikeGradient)
            }
            let increment = t > 1 ? first.maskedNext : nil
            let density = populations[0].backwardStep(
                history.record(layer: 0, step: t), spikeGradient: first.spikeGradient,
                membraneGradient: first.membraneGradient, surrogate: history.surrogate, increment: increment,
                mask: feedback.dropout.mask)
            try accumulateCurrentGradient(first.membraneGradient, step: t, input: simulation.input, history: history,
                                          into: currentGradient, buffers: first)
            if let increment {
                try feedback.applyTransposed(increment, density: density, into: output.feedbackIncrement)
                Elementwise.scaleAndAdd(carried, lambda, output.feedbackIncrement)
            }
        }
        if case let .image(x) = simulation.batch {
            try input.backward(input: x, outputGradient: currentGradient, saved: simulation.input.saved, inputGradient: nil)
        }
        try feedback.finishBackward()
    }

    /// δI[t] = δm₁[t]: summed into `sum` for a static current, or pushed through the
    /// fixed-statistics BN and F₁ of step t for spike input (frame x[t] replayed by `input`).
    private func accumulateCurrentGradient(_ gradient: Tensor, step t: Int, input current: InputCurrent,
                                           history: SimulationHistory, into sum: Tensor,
                                           buffers first: BackpropagationBuffers.Layer) throws {
        guard let statistics = current.fixedStatistics, let frame = current.frame else {
            Elementwise.scaleAndAdd(sum, 1, gradient)
            return
        }
        try current.loadFrame(step: t)
        try input.norm.save(try history.preactivation(layer: 0, step: t), mode: .fixed(statistics), into: first.saved)
        try first.blockGradient.assign(gradient)
        try input.backward(sparseInput: frame, binary: current.frameDensity <= 1, density: current.frameDensity,
                           outputGradient: first.blockGradient, saved: first.saved, inputGradient: nil)
    }
}
