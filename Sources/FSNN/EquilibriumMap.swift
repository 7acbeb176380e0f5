import Layers
import Tensor

/// The equilibrium map f of a feedback network (spec §3.1, §3.4) with its two VJPs for IDE
/// (spec §4.2–§4.7), over the network's own layer objects:
///
///     a₁ = σ((m_W ⊙ W a_L + m₁ ⊙ BN₁(F₁ x̄))/V_th)
///     a_l = σ(m_l ⊙ BN_l(F_l a_{l−1})/V_th),  l = 2…L,      f(a_L) = a_L of the chain
///
/// with σ = clamp to [0, 1]; for L = 1, f(a) = σ((m_W ⊙ W a + m₁ ⊙ BN₁(F₁ x̄))/V_th). x̄ is the
/// image, or the (λ-weighted) time average of the spike frames (spec §3.1).
///
/// `linearize` applies f once at the simulated rate a with every BN in training mode (batch
/// statistics, running statistics updated: spec §4.2 step 4), giving z̃ = f_train(a), and returns
/// the linearisation, an explicit value the IDE strategy holds and passes to
/// * `jacobianTransposeProduct`: Jᵀv of the reference's frozen clone of f (spec §4.3). By default
///   J is taken at a with the loop BNs in evaluation mode on the running statistics the training-mode
///   application just refreshed (what the reference's comments intend). Two quirks give the
///   released multi-layer code's J: B11 `adjoint_loop_bn_train_mode` puts the loop BNs in training
///   mode (the batch statistics of the linearisation point and their derivative, which couple the
///   samples of the batch), and B13 `adjoint_linearised_at_map_output` takes J at z̃ instead of a;
/// * `accumulateParameterGradients`: βᵀ ∂f/∂θ through the training-mode application at a (spec §4.7).
///
/// For static images f's layer-1 current is the simulation's I: the same training-mode BN₁ of
/// the same F₁ x with the same mask, so the map reads it (and BN₁'s saved state) from the
/// `Simulation` and only updates BN₁'s running statistics as its own application would.
public struct EquilibriumMap {
    public let network: FeedbackNetwork

    /// Everything the two VJPs need of one application of f. Its tensors are the simulation's and
    /// the IDE method's map buffers: valid until the method's next batch.
    public struct Linearization {
        /// a, [B] + output shape.
        public let rate: Tensor
        /// x̄, [B] + the input block's input sample shape.
        public let averageInput: Tensor
        /// BN₁'s state of the training-mode application at a.
        let inputSaved: BatchNorm.Saved
        /// The fraction of non-zero entries of each layer's training-mode a_l.
        let mapDensities: [Float]
        /// D_l = 1[0 < p_l < 1] of the Jacobian's linearisation, one per spiking layer (layer 1 first),
        /// [B] + the layer's shape.
        public let jacobianActive: [Tensor]
        /// How J differentiates each loop BN (layers 2…L).
        let jacobianNorms: [JacobianNorm]
        fileprivate let buffers: MapBuffers

        /// D_l of the training-mode application at a, which ∂f/∂θ goes through; as `jacobianActive`.
        public var mapActive: [Tensor] { buffers.layers.map(\.active) }
    }

    /// A loop BN as the Jacobian sees it.
    enum JacobianNorm {
        /// Evaluation mode: the per-channel affine map on the running statistics; its VJP scales by A_l.
        case evaluation(ChannelAffine)
        /// Training mode: the batch statistics a forward saved here; its VJP has their derivative.
        case training(BatchNorm.Saved)
    }

    // MARK: f at the simulated rate

    /// z̃ = f(a) in training mode and the Jacobian's linearisation at the output rate a of
    /// `simulation` (the IDE training simulation of its batch), in `buffers`.
    func linearize(_ simulation: Simulation, buffers: MapBuffers) throws -> Linearization {
        let input = simulation.input, a = simulation.outputRate
        let first = buffers.layers[0]
        let (x̄, current, inputSaved) = try equilibriumInput(input, buffers: buffers)
        try network.feedback.apply(rates: a, into: first.map)
        var density = EquilibriumKernels.clampedMap(feedback: first.map, mask: network.feedback.dropout.mask,
                                                    current: current, threshold: network.threshold,
                                                    into: first.map, active: first.active)
        var densities = [density]
        for (index, block) in network.loop.enumerated() {
            let layer = buffers.layers[index + 1]
            try block.forward(rates: buffers.layers[index].map, density: density, into: layer.map)
            try block.normalize(layer.map, into: layer.map, mode: .training(updatingRunningStatistics: true),
                                saving: layer.saved)
            density = EquilibriumKernels.clampedMap(feedback: nil, mask: nil, current: layer.map,
                                                    threshold: network.threshold, into: layer.map, active: layer.active)
            densities.append(density)
        }
        let trainModeNorms = network.has(.adjointLoopBNTrainMode)
        let atMapOutput = network.has(.adjointLinearizedAtMapOutput)
        if trainModeNorms && !atMapOutput {
            // B11 alone: J at a with training-mode loop BNs is the training-mode application itself.
            return Linearization(rate: a, averageInput: x̄, inputSaved: inputSaved, mapDensities: densities,
                                 jacobianActive: buffers.layers.map(\.active),
                                 jacobianNorms: buffers.layers.dropFirst().map { .training($0.saved) }, buffers: buffers)
        }
        // The Jacobian's own application of f, layer 1 first.
        let (firstMap, firstActive): (Tensor, Tensor)
        if atMapOutput {
            // At z̃ = a_L of the training-mode application (B13): W z̃ plus the same input current.
            try network.feedback.apply(rates: buffers.layers[network.last].map, into: first.scratch)
            density = EquilibriumKernels.clampedMap(feedback: first.scratch, mask: network.feedback.dropout.mask,
                                                    current: current, threshold: network.threshold,
                                                    into: first.jacobianMap, active: first.jacobianActive)
            (firstMap, firstActive) = (first.jacobianMap, first.jacobianActive)
        } else {
            // At a: layer 1 is the training-mode one (its BN reads x̄, a constant of J).
            density = densities[0]
            (firstMap, firstActive) = (first.map, first.active)
        }
        let norms = try applyJacobianLoop(to: firstMap, density: density, trainModeNorms: trainModeNorms, buffers: buffers)
        return Linearization(rate: a, averageInput: x̄, inputSaved: inputSaved, mapDensities: densities,
                             jacobianActive: [firstActive] + buffers.layers.dropFirst().map(\.jacobianActive),
                             jacobianNorms: norms, buffers: buffers)
    }

    /// The loop layers of the Jacobian's own application of f, from layer 1's a₁ (`rates`, of
    /// which a fraction `density` is not 0) into each loop layer's `jacobianMap` and
    /// `jacobianActive`, with the batch's dropout masks. The loop BNs run in evaluation mode on the
    /// running statistics the training-mode application just refreshed, or, with `trainModeNorms`,
    /// in training mode on this application's batch statistics, saved in `jacobianSaved` (the
    /// running statistics are left alone: the reference discards its clone's). Returns how J
    /// differentiates each loop BN.
    private func applyJacobianLoop(to rates: Tensor, density: Float, trainModeNorms: Bool,
                                   buffers: MapBuffers) throws -> [JacobianNorm] {
        var (rates, density) = (rates, density)
        var norms: [JacobianNorm] = []
        for (index, block) in network.loop.enumerated() {
            let layer = buffers.layers[index + 1]
            try block.forward(rates: rates, density: density, into: layer.scratch)
            if trainModeNorms {
                try block.normalize(layer.scratch, into: layer.scratch, mode: .training(updatingRunningStatistics: false),
                                    saving: layer.jacobianSaved)
                norms.append(.training(layer.jacobianSaved))
            } else {
                let affine = block.norm.evaluationAffine()
                try affine.apply(layer.scratch, into: layer.scratch)
                try block.dropout.apply(layer.scratch)
                norms.append(.evaluation(affine))
            }
            density = EquilibriumKernels.clampedMap(feedback: nil, mask: nil, current: layer.scratch,
                                                    threshold: network.threshold, into: layer.jacobianMap,
                                                    active: layer.jacobianActive)
            rates = layer.jacobianMap
        }
        return norms
    }

    /// x̄, f's layer-1 current m₁ ⊙ BN₁(F₁ x̄) in training mode and BN₁'s saved state. Static
    /// images: the image and the simulation's own I and state (BN₁'s running statistics updated
    /// from F₁ x as this application's forward would). Spike frames: the frames' average — inflated
    /// as the reference does under quirk B2 — and its current, computed here into `buffers`.
    private func equilibriumInput(_ input: InputCurrent, buffers: MapBuffers) throws
        -> (averageInput: Tensor, current: Tensor, saved: BatchNorm.Saved) {
        switch input.batch {
        case let .image(x):
            try network.input.norm.updateRunningStatistics(from: input.preactivation)
            return (x, input.current, input.saved)
        case .spikes:
            let first = buffers.layers[0]
            var (x̄, preactivation) = (input.averageInput!, input.preactivation)
            let factor = network.aliasedAverageFactor
            if factor != 1 {
                x̄ = x̄.copy()
                x̄.scale(by: factor)
                preactivation = Tensor(zeros: input.preactivation.shape)
                try network.input.layer.forward(x̄, into: preactivation)
            }
            try network.input.normalize(preactivation, into: first.current, mode: .training(updatingRunningStatistics: true),
                                        saving: first.saved)
            return (x̄, first.current, first.saved)
        }
    }

    // MARK: VJPs

    /// out = Jᵀv for v, out: [B, D] (any shapes with B·D elements; spec §4.7): back through the
    /// loop, δ_{l−1} = F_lᵀ(A_l ⊙ m_l ⊙ D_l ⊙ δ_l / V_th) with A_l the evaluation BN's scale (under
    /// B11, the training-mode BN's input VJP instead of A_l), and out = Wᵀ(m_W ⊙ D₁ ⊙ δ₁ / V_th),
    /// with the D_l of the Jacobian's linearisation. D_l vanishes wherever the clamp saturates, so
    /// the products with F_lᵀ and Wᵀ are event-driven below their crossovers (BN's training-mode
    /// VJP fills in the zeros).
    public func jacobianTransposeProduct(_ v: Tensor, at point: Linearization, into out: Tensor) throws {
        let buffers = point.buffers, threshold = network.threshold
        var gradient = try v.reshaped(point.rate.shape)
        for l in stride(from: network.last, through: 1, by: -1) {
            let block = network.loop[l - 1], layer = buffers.layers[l]
            var density = EquilibriumKernels.maskedGradient(gradient, active: point.jacobianActive[l],
                                                            mask: block.dropout.mask, threshold: threshold,
                                                            into: layer.scratch)
            switch point.jacobianNorms[l - 1] {
            case let .evaluation(affine):
                try affine.scale(layer.scratch)
            case let .training(saved):
                try block.norm.backward(outputGradient: layer.scratch, saved: saved, inputGradient: layer.scratch,
                                        accumulatingParameterGradients: false)
                density = 1
            }
            let previous = buffers.layers[l - 1].gradient
            try block.applyTransposed(layer.scratch, density: density, into: previous)
            gradient = previous
        }
        let first = buffers.layers[0]
        let density = EquilibriumKernels.maskedGradient(gradient, active: point.jacobianActive[0],
                                                        mask: network.feedback.dropout.mask, threshold: threshold,
                                                        into: first.scratch)
        try network.feedback.applyTransposed(first.scratch, density: density, into: try out.reshaped(point.rate.shape))
    }

    /// Accumulates βᵀ ∂f/∂θ at `point` into the parameter gradients (spec §4.7; train-mode BN):
    /// δ_l = D_l ⊙ β_l / V_th through each loop block's VJP (which gives β_{l−1}), then W_eff's
    /// gradient (m_W ⊙ δ₁) ⊗ a* and the input block's from δ₁ at x̄, and finally ∂L/∂W_raw, ∂L/∂g.
    public func accumulateParameterGradients(_ beta: Tensor, at point: Linearization) throws {
        let buffers = point.buffers, threshold = network.threshold
        var gradient = try beta.reshaped(point.rate.shape)
        for l in stride(from: network.last, through: 1, by: -1) {
            let layer = buffers.layers[l], previous = buffers.layers[l - 1]
            EquilibriumKernels.maskedGradient(gradient, active: layer.active, mask: nil, threshold: threshold,
                                              into: layer.scratch)
            try network.loop[l - 1].backward(sparseInput: previous.map, binary: false, density: point.mapDensities[l - 1],
                                             outputGradient: layer.scratch, saved: layer.saved,
                                             inputGradient: previous.gradient)
            gradient = previous.gradient
        }
        let first = buffers.layers[0]
        EquilibriumKernels.maskedGradient(gradient, active: first.active, mask: network.feedback.dropout.mask,
                                          threshold: threshold, into: first.scratch)
        try network.feedback.accumulateGradient(rates: point.rate, maskedOutputGradient: first.scratch)
        EquilibriumKernels.maskedGradient(gradient, active: first.active, mask: nil, threshold: threshold,
                                          into: first.scratch)
        try network.input.backward(input: point.averageInput, outputGradient: first.scratch, saved: point.inputSaved,
                                   inputGradient: nil)
        try network.feedback.finishBackward()
    }
}

/// Element-wise pieces of the map f: σ(p) = clamp(p, 0, 1) with p = (mask ⊙ feedback + current)/V_th,
/// and its derivative mask D = 1[0 < p < 1] (spec §4.6: derivative 0 at exactly 0 and 1).
enum EquilibriumKernels {
    /// out = clamp((mask ⊙ feedback + current)/V_th, 0, 1); active = 1[0 < p < 1] when given.
    /// out may be feedback or current itself. Returns the fraction of out's entries that are not 0
    /// (the next layer's input density).
    @discardableResult
    static func clampedMap(feedback: Tensor?, mask: Tensor?, current: Tensor, threshold: Float,
                           into out: Tensor, active: Tensor?) -> Float {
        let n = out.count, scale = 1 / threshold
        let o = out.pointer, c = current.pointer
        let f = feedback?.pointer, m = mask?.pointer, d = active?.pointer
        var nonZero = 0
        for i in 0..<n {
            var p = c[i]
            if let f { p += (m.map { $0[i] } ?? 1) * f[i] }
            p *= scale
            d?[i] = (p > 0 && p < 1) ? 1 : 0
            o[i] = min(max(p, 0), 1)
            nonZero += p > 0 ? 1 : 0
        }
        return n > 0 ? Float(nonZero) / Float(n) : 0
    }

    /// out = D ⊙ mask ⊙ v / V_th (the VJP through clamp, 1/V_th and the dropout mask); returns
    /// the fraction of out's entries that are not 0.
    @discardableResult
    static func maskedGradient(_ v: Tensor, active: Tensor, mask: Tensor?, threshold: Float, into out: Tensor) -> Float {
        let n = out.count, scale = 1 / threshold
        let o = out.pointer, x = v.pointer, d = active.pointer
        var nonZero = 0
        if let m = mask?.pointer {
            for i in 0..<n {
                o[i] = x[i] * d[i] * m[i] * scale
                nonZero += o[i] != 0 ? 1 : 0
            }
        } else {
            for i in 0..<n {
                o[i] = x[i] * d[i] * scale
                nonZero += o[i] != 0 ? 1 : 0
            }
        }
        return n > 0 ? Float(nonZero) / Float(n) : 0
    }

    /// ‖a − b‖ / ‖b‖ over all elements (0 when both vanish).
    static func relativeDistance(_ a: Tensor, _ b: Tensor) -> Float {
        var difference: Float = 0
        for i in 0..<a.count {
            let delta = a.pointer[i] - b.pointer[i]
            difference += delta * delta
        }
        let reference = b.norm()
        return reference > 0 ? difference.squareRoot() / reference : difference.squareRoot()
    }
}
