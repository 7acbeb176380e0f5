import Layers
import Tensor

extension FeedbackNetwork {
    /// Runs T steps (spec §2.5, §2.6) as the IDE training simulation and every evaluation run
    /// them: the loop BNs use their running statistics (spec §4.3); the input current follows
    /// `phase` (in training BN₁ updates its running statistics only under quirk B1, the map's
    /// application of BN₁ updates them once, spec §11). Keeps nothing per step: `observers` see
    /// every step (`ResidualTrace`, `SimulationHistory(membranesOf:batchSize:)`).
    public func simulate(_ batch: NetworkInput, phase: Phase, observing observers: [any StepObserver] = []) throws
        -> Simulation {
        var simulation: Simulation?
        return try simulate(batch, phase: phase, into: &simulation, observing: observers)
    }

    /// `simulate(_:phase:observing:)` refilling `simulation` when it was made for batches of this
    /// shape (else replacing it): the owner of a simulation hands it back for its next batch.
    func simulate(_ batch: NetworkInput, phase: Phase, into simulation: inout Simulation?,
                  observing observers: [any StepObserver] = []) throws -> Simulation {
        try simulate(batch, phase: phase, loopNorms: .evaluation,
                     updatingInputStatistics: phase == .training && has(.inputBNDoubleUpdate), into: &simulation,
                     observing: observers)
    }

    /// The training simulation of the methods that differentiate through the steps (STBP, OTTT):
    /// BN₁ updates its running statistics; the loop BNs run in training mode at every step (batch
    /// statistics of that step, running statistics updated at every call, as an unrolled PyTorch
    /// model in train mode would do).
    func simulateUnrolled(_ batch: NetworkInput, into simulation: inout Simulation?,
                          observing observers: [any StepObserver]) throws -> Simulation {
        try simulate(batch, phase: .training, loopNorms: .training(updatingRunningStatistics: true),
                     updatingInputStatistics: true, into: &simulation, observing: observers)
    }

    private func simulate(_ batch: NetworkInput, phase: Phase, loopNorms: BatchNorm.Mode, updatingInputStatistics: Bool,
                          into storage: inout Simulation?, observing observers: [any StepObserver]) throws -> Simulation {
        let batch = try canonical(batch)
        if let previous = storage, !previous.input.fits(batch) { storage = nil }
        let simulation = storage ?? Simulation(network: self, batch: batch)
        storage = simulation
        try simulation.input.load(batch, phase: phase, updatingRunningStatistics: updatingInputStatistics)
        let buffers = stepBuffers(for: batch)
        for (population, shape) in zip(populations, layerShapes) { population.reset(shape: [batch.batchSize] + shape) }
        for observer in observers { try observer.simulationStarted(simulation) }
        for t in 1...timeSteps {
            try checkInterruption("the simulation at step \(t) of \(timeSteps)")
            try step(t, input: simulation.input, buffers: buffers, loopNorms: loopNorms, observers: observers)
        }
        try populations[last].rate(into: simulation.outputRate)
        simulation.spikeCounts = populations.map(\.spikeCount)
        return simulation
    }

    /// One time step of every layer: layer 1 with the input current and the feedback of the last
    /// layer's spikes of step t − 1, then layers 2…L in order on the spikes of step t; each layer's
    /// step is shown to the observers, and the finished step.
    private func step(_ t: Int, input: InputCurrent, buffers: StepBuffers, loopNorms: BatchNorm.Mode,
                      observers: [any StepObserver]) throws {
        try input.load(step: t)
        if t > 1 {
            try feedback.apply(spikes: populations[last].spikes, density: populations[last].density, into: buffers.feedback)
        }
        stepPopulation(0, step: t, input: input.current, feedback: t > 1 ? buffers.feedback : nil,
                       feedbackMask: feedback.dropout.mask, observers: observers)
        for observer in observers {
            try observer.layerStepped(0, step: t, population: populations[0], current: input.current,
                                      preactivation: input.stepPreactivation)
        }
        for (index, block) in loop.enumerated() {
            let l = index + 1, (preactivation, current) = (buffers.preactivations[index], buffers.currents[index])
            try block.forward(spikes: populations[l - 1].spikes, density: populations[l - 1].density, into: preactivation)
            try block.normalize(preactivation, into: current, mode: loopNorms)
            stepPopulation(l, step: t, input: current, feedback: nil, feedbackMask: nil, observers: observers)
            for observer in observers {
                try observer.layerStepped(l, step: t, population: populations[l], current: current,
                                          preactivation: preactivation)
            }
        }
        for observer in observers { try observer.stepFinished(t) }
    }

    /// Layer l's population step, recording m_l[t] where an observer asks.
    private func stepPopulation(_ l: Int, step t: Int, input: Tensor, feedback: Tensor?, feedbackMask: Tensor?,
                                observers: [any StepObserver]) {
        let population = populations[l]
        let (i, f, m) = (input.pointer, feedback?.pointer, feedbackMask?.pointer)
        var target: RecordingTarget?
        for observer in observers where target == nil { target = observer.recording(layer: l, step: t) }
        switch target {
        case nil: population.step(input: i, feedback: f, feedbackMask: m)
        case let .membranes(recording)?: population.step(input: i, feedback: f, feedbackMask: m, recording: recording)
        case let .codes(recording)?: population.step(input: i, feedback: f, feedbackMask: m, recording: recording)
        }
    }
}
