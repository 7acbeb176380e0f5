import Tensor

/// OTTT (spec §13.2–§13.3; Xiao et al., NeurIPS 2022): online training forward in time. The
/// training simulation is STBP's (loop BNs in training mode at every step); at every step t, as the
/// simulation's observer, the method reads out the step's spikes, L[t] = CE(W_o s_L[t] + b_o, y),
/// and back-propagates ∂(L[t]/T) within the step only, each weight reading its presynaptic trace
/// (`FeedbackNetwork.backwardWithinStep`). The loss is L = (1/T) Σ_t L[t]; its gradients are summed
/// over the steps and the optimiser steps once per batch (OTTT_A), or it steps after every time
/// step on that step's gradient (OTTT_O, `updatesEveryStep`). Memory does not grow with T: one
/// step's records and gradients, and the traces. Accuracy is read, as for IDE and STBP, from the
/// classifier on the output rate.
public final class OnlineTrainingThroughTime: GradientStrategy {
    public let surrogate: SpikeSurrogate
    /// OTTT_O: an optimiser step after every time step; false is OTTT_A.
    public let updatesEveryStep: Bool
    private var simulation: Simulation?
    private var buffers: OnlineBuffers?

    public init(surrogate: SpikeSurrogate, updatesEveryStep: Bool) {
        self.surrogate = surrogate
        self.updatesEveryStep = updatesEveryStep
    }

    public func computeGradients(_ network: FeedbackNetwork, batch: NetworkInput, labels: [Int],
                                 update: (() throws -> Void)?) throws -> GradientPass {
        var timing = StepTiming(), clock = LapTimer()
        let buffers = self.buffers.fitted(batchSize: batch.batchSize) {
            OnlineBuffers(network: network, batchSize: batch.batchSize, surrogate: surrogate)
        }
        let steps = StepGradients(network: network, buffers: buffers, labels: labels,
                                  update: updatesEveryStep ? update : nil)
        let simulation = try network.simulateUnrolled(batch, into: &self.simulation, observing: [steps])
        if steps.updates == 0 { try network.finishOnlineGradients(input: simulation.input, buffers: buffers) }
        let readout = try Readout(network: network, rate: simulation.outputRate, labels: labels, computeGradient: false)
        timing.simulate = steps.simulationSeconds
        timing.parameterGradient = clock.lap() - steps.simulationSeconds
        var pass = GradientPass(readout: readout, simulation: simulation, timing: timing)
        pass.loss = steps.loss
        pass.updates = steps.updates
        return pass
    }
}

/// One batch of OTTT as its simulation's observer: records each step's membranes, keeps the
/// traces the network's own accumulators do not (the feedback's, the frames'), and after each
/// step reads it out and back-propagates it (and, with `update`, takes an optimiser step).
private final class StepGradients: StepObserver {
    let network: FeedbackNetwork
    let buffers: OnlineBuffers
    let labels: [Int]
    let update: (() throws -> Void)?
    private var input: InputCurrent?
    /// z_l[t] of each loop layer (l = 2…L), as the simulation handed it this step.
    private var preactivations: [Tensor?]
    /// L = (1/T) Σ L[t] so far.
    private(set) var loss: Float = 0
    private(set) var updates = 0
    /// Wall-clock seconds of the simulation without the steps' backward work.
    private(set) var simulationSeconds: Double = 0
    private var clock = LapTimer()

    init(network: FeedbackNetwork, buffers: OnlineBuffers, labels: [Int], update: (() throws -> Void)?) {
        self.network = network
        self.buffers = buffers
        self.labels = labels
        self.update = update
        preactivations = Array(repeating: nil, count: network.loop.count)
    }

    func simulationStarted(_ simulation: Simulation) throws {
        input = simulation.input
        buffers.feedbackTrace.fill(0)
        if case .image = simulation.batch { buffers.currentGradient.fill(0) }
    }

    func recording(layer l: Int, step t: Int) -> RecordingTarget? { buffers.records.target(layer: l, slot: 0) }

    func layerStepped(_ l: Int, step t: Int, population: SpikingPopulation, current: Tensor, preactivation: Tensor?) throws {
        if l > 0 { preactivations[l - 1] = preactivation }
    }

    func stepFinished(_ t: Int) throws {
        simulationSeconds += clock.lap()
        let input = input!, lambda = network.neuron.lambda
        if let frame = input.frame {
            // r_x[t] = (λ Λ_{t−1} r_x[t−1] + x[t]) / Λ_t
            let rate = buffers.frameRate
            rate.scale(by: lambda * SpikingPopulation.normaliser(neuron: network.neuron, steps: t - 1))
            VectorKernels.add(rate.pointer, frame.pointer, rate.count)
            rate.scale(by: 1 / SpikingPopulation.normaliser(neuron: network.neuron, steps: t))
        }
        loss += try network.readOutStep(labels: labels, buffers: buffers) / Float(network.timeSteps)
        try network.backwardWithinStep(t, input: input, preactivations: preactivations, buffers: buffers)
        // â_W[t+1] = λ â_W[t] + s_L[t]
        let spikes = network.populations[network.last].spikes
        VectorKernels.scaleAndAdd(buffers.feedbackTrace.pointer, lambda, spikes.pointer, spikes.count)
        if let update {
            try network.finishOnlineGradients(input: input, buffers: buffers)
            try update()
            updates += 1
            try network.weightsChanged()
            try input.parametersChanged()
        }
        _ = clock.lap()
    }
}
