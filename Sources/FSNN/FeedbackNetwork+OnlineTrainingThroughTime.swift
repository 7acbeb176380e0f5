import Layers
import Tensor

/// The fused element-wise passes of OTTT's step backward over [B] + layer shape.
private enum Elementwise {
    /// out = x ⊙ mask · scale (x · scale without a mask)
    static func scaledProduct(_ x: Tensor, _ mask: Tensor?, scale: Float, into out: Tensor) {
        let (source, o) = (x.pointer, out.pointer)
        Parallel.forEachChunk(out.count, minimumChunk: SpikingPopulation.elementsPerWorker) { range in
            if let m = mask?.pointer {
                for i in range { o[i] = source[i] * m[i] * scale }
            } else {
                for i in range { o[i] = source[i] * scale }
            }
        }
    }
}

extension FeedbackNetwork {
    /// OTTT's readout of step t (spec §13.3): o[t] = W_o s_L[t] + b_o on the step's spikes and
    /// L[t] = CE(o[t], y). Adds ∂(L[t]/T)/∂(W_o, b_o) to the classifier's gradients and writes
    /// ∂(L[t]/T)/∂s_L[t] into the last layer's `gradient` of `buffers`. Returns L[t].
    func readOutStep(labels: [Int], buffers: OnlineBuffers) throws -> Float {
        let batch = buffers.batchSize, spikes = try populations[last].spikes.reshaped([batch, outputDimension])
        try classifier.forward(spikes, into: buffers.logits)
        let loss = try CrossEntropy.loss(logits: buffers.logits, labels: labels, gradient: buffers.logitGradient)
        buffers.logitGradient.scale(by: 1 / Float(timeSteps))
        try classifier.backward(input: spikes, outputGradient: buffers.logitGradient,
                                inputGradient: try buffers.layers[last].gradient.reshaped([batch, outputDimension]))
        return loss
    }

    /// OTTT's backward of step t (spec §13.3), after `readOutStep`: the VJP of the step with every
    /// temporal path cut — the membranes' past v_l[t−1], the reset and the feedback's input
    /// s_L[t−1] are constants — so the error runs through the step's layers L…1 only, and each
    /// weight reads its presynaptic trace â[t] = λ â[t−1] + x_pre[t] instead of its input:
    ///
    ///     ĝs_L = Λ_t ∂L[t]/∂s_L[t]
    ///     ĝm_l = ĝs_l ⊙ σ′(m_l[t] − V_th)                        (`SpikingPopulation.backwardWithinStep`)
    ///     l = L…2: F_l's VJP at the rate r_{l−1}[t] = â_{l−1}[t]/Λ_t with output gradient ĝm_l and
    ///              BN_l's statistics of step t gives ĝs_{l−1}
    ///     ∂L/∂W_eff += (m_W ⊙ ĝm₁/Λ_t) ⊗ â_W[t]                  (t ≥ 2)
    ///     F₁: static images — ĝm₁ is summed into `currentGradient` (F₁'s input and BN₁ are the
    ///         same at every step); spike frames — F₁'s VJP at r_x[t] with BN₁'s fixed statistics.
    ///
    /// Every step's error is carried scaled by Λ_t = Σ_{k<t} λ^k, the trace of a constant 1, so
    /// that a block's VJP at the normalised trace gives the weight δ ⊗ â[t] and its biases and BN
    /// affine parameters Λ_t δ, as if their input were 1 with the same trace; the scale cancels
    /// along the spatial path. The traces come from the populations' rate accumulators (loop
    /// blocks) and from `buffers` (the feedback's â_W[t], the frames' r_x[t]).
    /// `preactivations` are the loop layers' z_l[t] of the step.
    func backwardWithinStep(_ t: Int, input: InputCurrent, preactivations: [Tensor?], buffers: OnlineBuffers) throws {
        let normaliser = SpikingPopulation.normaliser(neuron: neuron, steps: t)
        let records = buffers.records
        for l in stride(from: last, through: 1, by: -1) {
            let layer = buffers.layers[l], previous = buffers.layers[l - 1], block = loop[l - 1]
            populations[l].backwardWithinStep(records.record(layer: l, slot: 0), gradient: layer.gradient,
                                              surrogate: records.surrogate, scale: l == last ? normaliser : 1)
            try populations[l - 1].rate(into: previous.rate)
            try block.norm.save(preactivations[l - 1]!, mode: .training(updatingRunningStatistics: false), into: layer.saved)
            try block.backward(sparseInput: previous.rate, binary: false, density: previous.rate.density(),
                               outputGradient: layer.gradient, saved: layer.saved, inputGradient: previous.gradient)
        }
        let first = buffers.layers[0]
        populations[0].backwardWithinStep(records.record(layer: 0, slot: 0), gradient: first.gradient,
                                          surrogate: records.surrogate, scale: last == 0 ? normaliser : 1)
        if t > 1 {
            Elementwise.scaledProduct(first.gradient, feedback.dropout.mask, scale: 1 / normaliser,
                                      into: buffers.maskedFeedbackGradient)
            try feedback.accumulateGradient(rates: buffers.feedbackTrace, maskedOutputGradient: buffers.maskedFeedbackGradient)
        }
        guard let statistics = input.fixedStatistics else {
            VectorKernels.add(buffers.currentGradient.pointer, first.gradient.pointer, first.gradient.count)
            return
        }
        let rate = buffers.frameRate
        try self.input.layer.forward(rate, into: buffers.frameRatePreactivation)
        try self.input.norm.save(buffers.frameRatePreactivation, mode: .fixed(statistics), into: buffers.inputSaved)
        try self.input.backward(sparseInput: rate, binary: false, density: rate.density(), outputGradient: first.gradient,
                                saved: buffers.inputSaved, inputGradient: nil)
    }

    /// Pushes the static current's summed gradient through BN₁ and F₁ (once per update) and maps
    /// the feedback's accumulated ∂L/∂W_eff to ∂L/∂W_raw and ∂L/∂g.
    func finishOnlineGradients(input: InputCurrent, buffers: OnlineBuffers) throws {
        if case let .image(x) = input.batch {
            try self.input.backward(input: x, outputGradient: buffers.currentGradient, saved: input.saved, inputGradient: nil)
            buffers.currentGradient.fill(0)
        }
        try feedback.finishBackward()
    }
}
