import Layers
import Tensor

extension FeedbackNetwork {
    /// Runs T steps (spec §2.5, §2.6). The loop BNs use their running statistics (spec §4.3); the
    /// input current follows `phase`. Without `recordingSteps` no history is kept (memory
    /// independent of T); with it the result's history holds every layer's pre-spike membranes
    /// m_l[t] (`SimulationHistory.membranes(layer:)`, for `fsnn inspect trace`), the same steps
    /// recorded as STBP records them.
    public func simulate(_ batch: NetworkInput, phase: Phase, traceResidual: Bool,
                         recordingSteps: Bool = false) throws -> Simulation {
        let batch = try canonical(batch)
        let w = workspace(for: batch)
        let current = try InputCurrent(network: self, batch: batch, phase: phase, workspace: w,
                                       updateRunningStatistics: has(.inputBNDoubleUpdate))
        reset(w)
        let history = recordingSteps
            ? SimulationHistory(current: current, surrogate: SpikeSurrogate(), threshold: threshold, steps: timeSteps,
                                shapes: w.layers.map(\.shape), keepingMembranes: true)
            : nil
        var trace: [Float] = []
        let affines = traceResidual ? loop.map { $0.norm.evaluationAffine() } : []
        for t in 1...timeSteps {
            try checkInterruption("the simulation at step \(t) of \(timeSteps)")
            try step(t, workspace: w, current: current, loopMode: .evaluation, history: history)
            if traceResidual { trace.append(try residual(afterStep: t, current: current, affines: affines, workspace: w)) }
        }
        return try finish(w, trace: traceResidual ? trace : nil, history: history)
    }

    /// STBP's training simulation: as `simulate`, storing per step what `backwardThroughTime`
    /// needs. The input current's BN updates its running statistics; the loop BNs run in
    /// training mode at every step (batch statistics of that step, running statistics updated at
    /// every call, as an unrolled PyTorch model in train mode would do).
    public func simulateRecordingHistory(_ batch: NetworkInput, surrogate: SpikeSurrogate) throws -> Simulation {
        let batch = try canonical(batch)
        let w = workspace(for: batch)
        let current = try InputCurrent(network: self, batch: batch, phase: .training, workspace: w,
                                       updateRunningStatistics: true)
        reset(w)
        let history = SimulationHistory(current: current, surrogate: surrogate, threshold: threshold, steps: timeSteps,
                                        shapes: w.layers.map(\.shape))
        for t in 1...timeSteps {
            try checkInterruption("the simulation at step \(t) of \(timeSteps)")
            try step(t, workspace: w, current: current, loopMode: .training(updatingRunningStatistics: true),
                     history: history)
        }
        return try finish(w, trace: nil, history: history)
    }

    private func reset(_ w: NetworkWorkspace) {
        for (population, layer) in zip(populations, w.layers) { population.reset(shape: layer.shape) }
    }

    /// One time step of every layer: layer 1 with the input current and the feedback of the last
    /// layer's spikes of step t − 1, then layers 2…L in order on the spikes of step t. With a
    /// history, the step's membranes and BN inputs are stored.
    private func step(_ t: Int, workspace w: NetworkWorkspace, current: InputCurrent, loopMode: BatchNorm.Mode,
                      history: SimulationHistory?) throws {
        try current.load(step: t)
        if current.variesWithTime { try history?.recordPreactivation(w.stepPreactivation, layer: 0, step: t) }
        if t > 1 {
            try feedback.apply(spikes: populations[last].spikes, density: populations[last].density, into: w.feedback)
        }
        stepPopulation(0, step: t, input: w.layers[0].current, feedback: t > 1 ? w.feedback : nil,
                       feedbackMask: feedback.dropout.mask, history: history)
        for (index, block) in loop.enumerated() {
            let l = index + 1, layer = w.layers[l]
            try block.forward(spikes: populations[l - 1].spikes, density: populations[l - 1].density,
                              into: layer.preactivation)
            try history?.recordPreactivation(layer.preactivation, layer: l, step: t)
            try block.normalize(layer.preactivation, into: layer.current, mode: loopMode)
            stepPopulation(l, step: t, input: layer.current, feedback: nil, feedbackMask: nil, history: history)
        }
    }

    /// Layer l's population step, recorded into `history` when given.
    private func stepPopulation(_ l: Int, step t: Int, input: Tensor, feedback: Tensor?, feedbackMask: Tensor?,
                                history: SimulationHistory?) {
        let population = populations[l]
        let (i, f, m) = (input.pointer, feedback?.pointer, feedbackMask?.pointer)
        guard let history else {
            population.step(input: i, feedback: f, feedbackMask: m)
            return
        }
        history.recording(layer: l, step: t) { target in
            switch target {
            case let .membranes(recording): population.step(input: i, feedback: f, feedbackMask: m, recording: recording)
            case let .codes(recording): population.step(input: i, feedback: f, feedbackMask: m, recording: recording)
            }
        }
        history.recordDensity(population.density, layer: l, step: t)
    }

    private func finish(_ w: NetworkWorkspace, trace: [Float]?, history: SimulationHistory?) throws -> Simulation {
        try populations[last].rate(into: w.rate)
        return Simulation(outputRate: w.rate, spikeCounts: populations.map(\.spikeCount), residualTrace: trace,
                          history: history)
    }

    /// ‖f(a[t]) − a[t]‖/‖a[t]‖ after step t (spec §9.5) with the simulation's BN modes and masks
    /// (loop BN as the evaluation `affines`) and the input current averaged up to t.
    private func residual(afterStep t: Int, current: InputCurrent, affines: [ChannelAffine],
                          workspace w: NetworkWorkspace) throws -> Float {
        try populations[last].rate(into: w.rate)
        try feedback.apply(rates: w.rate, into: w.feedback)
        var density = EquilibriumKernels.clampedMap(feedback: w.feedback, mask: feedback.dropout.mask,
                                                    current: try current.average(upTo: t), threshold: threshold,
                                                    into: w.layers[0].map, active: nil)
        for (index, block) in loop.enumerated() {
            let l = index + 1, layer = w.layers[l]
            try block.forward(rates: w.layers[l - 1].map, density: density, into: layer.scratch)
            try affines[index].apply(layer.scratch, into: layer.scratch)
            try block.dropout.apply(layer.scratch)
            density = EquilibriumKernels.clampedMap(feedback: nil, mask: nil, current: layer.scratch,
                                                    threshold: threshold, into: layer.map, active: nil)
        }
        return EquilibriumKernels.relativeDistance(w.layers[last].map, w.rate)
    }
}
