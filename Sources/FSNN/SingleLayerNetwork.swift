import Foundation
import Layers
import Tensor

/// The single-layer feedback network of spec §3.1 (F-MNIST F400, MNIST and N-MNIST 64C5s):
/// one population driven by the input branch F (conv/FC + bias, BN, dropout) and by its own
/// spikes through the feedback W (spectral reparameterisation, dropout).
///
///     simulation (§2.5):  m[t] = v[t−1] + m_s ⊙ W s[t−1] + I[t]
///     map (§3.1):         f(a) = clamp((m_s ⊙ W a + m_x ⊙ BN(F x̄))/V_th, 0, 1)
public final class SingleLayerNetwork: FeedbackNetwork {
    public let neuron: NeuronModel
    public let threshold: Float
    public let timeSteps: Int
    public let quirks: Set<Quirk>
    public let input: SynapticBlock
    public let feedback: FeedbackConnection
    public let classifier: Linear
    let population: SpikingPopulation
    private var workspace: Workspace?
    private var equilibrium: EquilibriumPoint?
    private var history: History?

    public init(neuron: NeuronModel, threshold: Float, timeSteps: Int, quirks: Set<Quirk>,
                input: SynapticBlock, feedback: FeedbackConnection, classifier: Linear) {
        precondition(input.outputSampleShape == feedback.layer.outputSampleShape
                     && feedback.layer.inputSampleShape == feedback.layer.outputSampleShape,
                     "the feedback must map the population onto itself")
        self.neuron = neuron
        self.threshold = threshold
        self.timeSteps = timeSteps
        self.quirks = quirks
        self.input = input
        self.feedback = feedback
        self.classifier = classifier
        population = SpikingPopulation(neuron: neuron, threshold: threshold, shape: [0] + input.outputSampleShape)
    }

    public var outputShape: [Int] { input.outputSampleShape }
    public var layerSizes: [Int] { [outputDimension] }
    public var synapsesPerSpike: [Double] { [meanFanOut(of: feedback.layer)] }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        input.namedParameters(prefix: "input") + feedback.namedParameters(prefix: "feedback")
            + classifier.namedParameters(prefix: "classifier")
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        input.namedBuffers(prefix: "input") + feedback.namedBuffers(prefix: "feedback")
    }

    public func prepare(batchSize: Int, phase: Phase, generator: inout RandomGenerator) throws {
        input.prepare(batchSize: batchSize, phase: phase, generator: &generator)
        try feedback.prepare(batchSize: batchSize, phase: phase, iterateInEvaluation: has(.evalPowerIterationUpdate),
                             generator: &generator)
    }

    // MARK: Simulation

    public func simulate(_ batch: NetworkInput, phase: Phase, traceResidual: Bool) throws -> Simulation {
        let batch = try canonical(batch)
        let w = try workspace(for: batch)
        population.reset(shape: w.rate.shape)
        let current = try InputCurrent(network: self, batch: batch, phase: phase, workspace: w, updateRunningStatistics: has(.inputBNDoubleUpdate))
        var trace: [Float] = []
        for t in 1...timeSteps {
            try current.load(step: t)
            if t > 1 {
                try feedback.apply(spikes: population.spikes, density: population.density, into: w.feedback)
            }
            population.step(input: w.current.pointer, feedback: t > 1 ? w.feedback.pointer : nil,
                            feedbackMask: feedback.dropout.mask?.pointer)
            if traceResidual { trace.append(try residual(afterStep: t, current: current, workspace: w)) }
        }
        try population.rate(into: w.rate)
        return Simulation(outputRate: w.rate, spikeCounts: [population.spikeCount],
                          residualTrace: traceResidual ? trace : nil)
    }

    /// ‖f(a[t]) − a[t]‖/‖a[t]‖ with the input averaged up to t (spec §9.5).
    private func residual(afterStep t: Int, current: InputCurrent, workspace w: Workspace) throws -> Float {
        try population.rate(into: w.rate)
        try feedback.apply(w.rate, into: w.mapOutput)
        EquilibriumKernels.clampedMap(feedback: w.mapOutput, mask: feedback.dropout.mask,
                                      current: try current.average(upTo: t), threshold: threshold,
                                      into: w.mapOutput, active: nil)
        return EquilibriumKernels.relativeDistance(w.mapOutput, w.rate)
    }

    // MARK: IDE

    public func applyEquilibriumMap(at rate: Tensor, input batch: NetworkInput) throws {
        let batch = try canonical(batch)
        let w = try workspace(for: batch)
        let rate = try rate.reshaped(w.rate.shape)
        let (x̄, preactivation) = try equilibriumInput(for: batch, workspace: w)
        try input.normalize(preactivation, into: w.mapCurrent, mode: .training(updatingRunningStatistics: true))
        try feedback.apply(rate, into: w.feedback)
        EquilibriumKernels.clampedMap(feedback: w.feedback, mask: feedback.dropout.mask, current: w.mapCurrent,
                                      threshold: threshold, into: w.mapOutput, active: w.active)
        equilibrium = EquilibriumPoint(rate: rate, averageInput: x̄)
    }

    /// x̄ and F.layer(x̄) for the map: the image itself, or the (weighted) time average of the
    /// spikes (spec §3.1), inflated as the reference does under quirk B2.
    private func equilibriumInput(for batch: NetworkInput, workspace w: Workspace) throws -> (Tensor, Tensor) {
        switch batch {
        case let .image(x):
            return (x, w.preactivation)
        case .spikes:
            let factor = aliasedAverageFactor
            guard factor != 1 else { return (w.averageInput!, w.preactivation) }
            let inflated = w.averageInput!.copy()
            inflated.scale(by: factor)
            let preactivation = Tensor(zeros: w.preactivation.shape)
            try input.layer.forward(inflated, into: preactivation)
            return (inflated, preactivation)
        }
    }

    /// Quirk B2 (LIF, spike input): the reference's aliased in-place average yields
    /// x̄·(1 + Λ_T)(1 + λ^T)/Λ_{T+1} when the last frame is empty (spec §11, §12.8); 1 otherwise.
    var aliasedAverageFactor: Float {
        guard has(.lifInputAverageAlias), neuron != .integrateAndFire else { return 1 }
        let lambda = neuron.lambda
        let normaliser = SpikingPopulation.normaliser(neuron: neuron, steps: timeSteps)
        let next = SpikingPopulation.normaliser(neuron: neuron, steps: timeSteps + 1)
        return (1 + normaliser) * (1 + pow(lambda, Float(timeSteps))) / next
    }

    public func jacobianTransposeProduct(_ v: Tensor, into out: Tensor) throws {
        let w = try requireWorkspace()
        EquilibriumKernels.maskedGradient(try v.reshaped(w.rate.shape), active: w.active, mask: feedback.dropout.mask,
                                          threshold: threshold, into: w.scratch)
        try feedback.applyTransposed(w.scratch, into: try out.reshaped(w.rate.shape))
    }

    public func backwardEquilibriumMap(_ beta: Tensor) throws {
        let w = try requireWorkspace()
        guard let equilibrium else { throw NetworkError.backwardWithoutForward("backwardEquilibriumMap") }
        let beta = try beta.reshaped(w.rate.shape)
        EquilibriumKernels.maskedGradient(beta, active: w.active, mask: feedback.dropout.mask, threshold: threshold,
                                          into: w.scratch)
        try feedback.accumulateGradient(input: equilibrium.rate, maskedOutputGradient: w.scratch)
        EquilibriumKernels.maskedGradient(beta, active: w.active, mask: nil, threshold: threshold, into: w.scratch)
        try input.backward(input: equilibrium.averageInput, outputGradient: w.scratch, scratch: w.mapOutput,
                           inputGradient: nil)
        try feedback.finishBackward()
        self.equilibrium = nil
    }

    // MARK: STBP

    public func simulateRecordingHistory(_ batch: NetworkInput, surrogate: SpikeSurrogate) throws -> Simulation {
        let batch = try canonical(batch)
        let w = try workspace(for: batch)
        population.reset(shape: w.rate.shape)
        let current = try InputCurrent(network: self, batch: batch, phase: .training, workspace: w,
                                       updateRunningStatistics: true)
        let recorded = History(current: current, surrogate: surrogate, steps: timeSteps, shape: w.rate.shape)
        for t in 1...timeSteps {
            try current.load(step: t)
            if let z = recorded.preactivations { try z.batch(t - 1..<t).reshaped(w.stepPreactivation!.shape).assign(w.stepPreactivation!) }
            if t > 1 {
                try feedback.apply(spikes: population.spikes, density: population.density, into: w.feedback)
            }
            population.step(input: w.current.pointer, feedback: t > 1 ? w.feedback.pointer : nil,
                            feedbackMask: feedback.dropout.mask?.pointer,
                            preSpikeMembrane: recorded.membranes.pointer + (t - 1) * w.rate.count)
        }
        try population.rate(into: w.rate)
        history = recorded
        return Simulation(outputRate: w.rate, spikeCounts: [population.spikeCount], residualTrace: nil)
    }

    public func backwardThroughTime(rateGradient: Tensor) throws {
        let w = try requireWorkspace()
        guard let history else { throw NetworkError.backwardWithoutForward("backwardThroughTime") }
        self.history = nil
        let shape = w.rate.shape, n = w.rate.count
        let g = try rateGradient.reshaped(shape)
        let through = w.timeReversal
        through.reset()
        let inputGradient = w.mapCurrent
        inputGradient.fill(0)
        let normaliser = rateNormaliser, lambda = neuron.lambda
        for t in stride(from: timeSteps, through: 1, by: -1) {
            let membrane = history.membranes.pointer + (t - 1) * n
            // δs[t] = g·λ^{T−t}/Λ_T + Wᵀ(m_s ⊙ δm[t+1]) (+ reset path, inside `step`)
            try through.directSpikeGradient(g, weight: pow(lambda, Float(timeSteps - t)) / normaliser)
            if t < timeSteps {
                try through.maskNextMembraneGradient(feedback.dropout.mask)
                try feedback.applyTransposed(through.maskedNext, into: through.feedbackGradient)
                try through.spikeGradient.add(through.feedbackGradient)
                VectorKernels.heaviside(through.spikes.pointer, membrane, n, threshold: threshold)
                try feedback.accumulateGradient(input: through.spikes, maskedOutputGradient: through.maskedNext)
            }
            through.step(membrane: membrane, surrogate: history.surrogate, lambda: lambda, threshold: threshold)
            try accumulateCurrentGradient(through.membraneGradient, step: t, history: history, into: inputGradient,
                                          workspace: w)
        }
        if case let .image(x) = history.current.batch {
            try input.backward(input: x, outputGradient: inputGradient, scratch: w.scratch, inputGradient: nil)
        }
        try feedback.finishBackward()
    }

    /// δI[t] = δm[t]: summed for a static current (one BN/F backward at the end), or pushed
    /// through the fixed-statistics BN and F of step t for spike input.
    private func accumulateCurrentGradient(_ gradient: Tensor, step t: Int, history: History, into sum: Tensor,
                                           workspace w: Workspace) throws {
        guard let statistics = history.current.fixedStatistics, let preactivations = history.preactivations else {
            try sum.add(gradient)
            return
        }
        try history.current.loadFrame(step: t)
        let z = try preactivations.batch(t - 1..<t).reshaped(w.scratch.shape)
        try input.norm.forward(z, into: w.mapOutput, mode: .fixed(statistics))
        try w.scratch.assign(gradient)
        try input.backward(input: w.frame!, outputGradient: w.scratch, scratch: w.mapOutput, inputGradient: nil)
    }

    // MARK: Buffers

    /// The batch with images viewed as [B] + the input layer's sample shape (F400 flattens
    /// 1×28×28 to 784); spike frames must already have the input layer's frame shape.
    private func canonical(_ batch: NetworkInput) throws -> NetworkInput {
        switch batch {
        case let .image(x):
            return .image(try x.reshaped([x.shape[0]] + input.inputSampleShape))
        case let .spikes(x):
            guard x.rank >= 2, Array(x.shape.dropFirst(2)) == input.inputSampleShape else {
                throw NetworkError.inputShape(expected: "[B, T] + \(Tensor.describe(input.inputSampleShape))", actual: x.shape)
            }
            return batch
        }
    }

    private func workspace(for batch: NetworkInput) throws -> Workspace {
        let shape = [batch.batchSize] + outputShape
        if let workspace, workspace.rate.shape == shape, workspace.frame?.shape == batch.frameShape.map({ [batch.batchSize] + $0 }) {
            return workspace
        }
        if case let .spikes(x) = batch, x.shape[1] != timeSteps {
            throw NetworkError.inputShape(expected: "[B, \(timeSteps), C, H, W] spike frames", actual: x.shape)
        }
        let created = Workspace(shape: shape, frameShape: batch.frameShape.map { [batch.batchSize] + $0 })
        workspace = created
        return created
    }

    private func requireWorkspace() throws -> Workspace {
        guard let workspace else { throw NetworkError.backwardWithoutForward("a VJP before any simulation") }
        return workspace
    }
}
