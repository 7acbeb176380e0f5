import Foundation
import Layers
import Tensor

/// The multi-layer feedback network of spec §2.6 and §3.4 (AlexNet-F, CIFARNet-F): L spiking
/// layers (five in the paper; any L ≥ 2 works); layer 1 receives the input current and, delayed by one step, the feedback W of
/// layer 5's spikes (a transposed convolution); layers 2…5 receive F_l of the previous layer's
/// spikes of the same step. The fixed point is on the last layer's rate a₅:
///
///     f_last(a₅) = σ(F₅ σ(F₄ σ(F₃ σ(F₂ σ((m_W ⊙ W a₅ + m₁ ⊙ BN(F₁ x̄))/V_th)/V_th)…)
///
/// with σ = clamp to [0, 1] and F_l = m_l ⊙ BN(conv_l(·) + b_l). Static input only.
public final class MultiLayerNetwork: FeedbackNetwork {
    public let neuron: NeuronModel
    public let threshold: Float
    public let timeSteps: Int
    public let quirks: Set<Quirk>
    public let input: SynapticBlock
    /// F₂…F₅.
    public let loop: [SynapticBlock]
    public let feedback: FeedbackConnection
    public let classifier: Linear
    let populations: [SpikingPopulation]
    private var workspace: LayeredWorkspace?
    private var pendingEquilibrium: (rate: Tensor, image: Tensor)?
    private var history: LayeredHistory?

    public init(neuron: NeuronModel, threshold: Float, timeSteps: Int, quirks: Set<Quirk>, input: SynapticBlock,
                loop: [SynapticBlock], feedback: FeedbackConnection, classifier: Linear) {
        let shapes = [input.outputSampleShape] + loop.map(\.outputSampleShape)
        precondition(zip(shapes, loop.map(\.inputSampleShape)).allSatisfy { $0 == $1 },
                     "each loop block must read the previous layer's output")
        precondition(feedback.layer.inputSampleShape == shapes.last! && feedback.layer.outputSampleShape == shapes[0],
                     "the feedback must map the last layer onto the first")
        self.neuron = neuron
        self.threshold = threshold
        self.timeSteps = timeSteps
        self.quirks = quirks
        self.input = input
        self.loop = loop
        self.feedback = feedback
        self.classifier = classifier
        populations = shapes.map { SpikingPopulation(neuron: neuron, threshold: threshold, shape: [0] + $0) }
    }

    var layerShapes: [[Int]] { [input.outputSampleShape] + loop.map(\.outputSampleShape) }
    /// Index of the output layer (4 for the paper's five-layer networks).
    var last: Int { loop.count }
    public var outputShape: [Int] { layerShapes.last! }
    public var layerSizes: [Int] { layerShapes.map { $0.reduce(1, *) } }
    public var synapsesPerSpike: [Double] { (loop.map(\.layer) + [feedback.layer]).map { meanFanOut(of: $0) } }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        input.namedParameters(prefix: "layers.1")
            + loop.enumerated().flatMap { $1.namedParameters(prefix: "layers.\($0 + 2)") }
            + feedback.namedParameters(prefix: "feedback") + classifier.namedParameters(prefix: "classifier")
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        input.namedBuffers(prefix: "layers.1")
            + loop.enumerated().flatMap { $1.namedBuffers(prefix: "layers.\($0 + 2)") }
            + feedback.namedBuffers(prefix: "feedback")
    }

    public func prepare(batchSize: Int, phase: Phase, generator: inout RandomGenerator) throws {
        input.prepare(batchSize: batchSize, phase: phase, generator: &generator)
        try feedback.prepare(batchSize: batchSize, phase: phase, iterateInEvaluation: has(.evalPowerIterationUpdate),
                             generator: &generator)
        for block in loop { block.prepare(batchSize: batchSize, phase: phase, generator: &generator) }
    }

    // MARK: Simulation (spec §2.6)

    public func simulate(_ batch: NetworkInput, phase: Phase, traceResidual: Bool) throws -> Simulation {
        let w = try prepareSimulation(batch, phase: phase, updateRunningStatistics: has(.inputBNDoubleUpdate))
        var trace: [Float] = []
        let affines = traceResidual ? loop.map { $0.norm.evaluationAffine() } : []
        for t in 1...timeSteps {
            try step(t, workspace: w, loopMode: { _ in .evaluation }, record: nil)
            if traceResidual { trace.append(try residual(workspace: w, affines: affines)) }
        }
        return try finishSimulation(workspace: w, trace: traceResidual ? trace : nil)
    }

    /// Computes the static input current of layer 1 and resets the populations.
    private func prepareSimulation(_ batch: NetworkInput, phase: Phase, updateRunningStatistics: Bool) throws
        -> LayeredWorkspace {
        let x = try image(of: batch)
        let w = workspace(batchSize: x.shape[0])
        try input.layer.forward(x, into: w.preactivation[0])
        try input.normalize(w.preactivation[0], into: w.current[0], mode: phase == .training
            ? .training(updatingRunningStatistics: updateRunningStatistics) : .evaluation)
        for (population, shape) in zip(populations, w.shapes) { population.reset(shape: shape) }
        return w
    }

    /// The image batch as [B] + the input layer's sample shape.
    private func image(of batch: NetworkInput) throws -> Tensor {
        guard case let .image(x) = batch else {
            throw NetworkError.unsupportedInput("the multi-layer network takes static images, not spike frames")
        }
        return try x.reshaped([x.shape[0]] + input.inputSampleShape)
    }

    /// One time step of all five layers: layer 1 with the delayed feedback, then layers 2…5
    /// in order on the same step's spikes. `record` receives (layer, pointer to m[t]) slots.
    private func step(_ t: Int, workspace w: LayeredWorkspace, loopMode: (Int) -> BatchNorm.Mode,
                      record: ((Int) -> UnsafeMutablePointer<Float>)?) throws {
        if t > 1 {
            try feedback.apply(spikes: populations[last].spikes, density: populations[last].density, into: w.feedback)
        }
        populations[0].step(input: w.current[0].pointer, feedback: t > 1 ? w.feedback.pointer : nil,
                            feedbackMask: feedback.dropout.mask?.pointer, preSpikeMembrane: record?(0))
        for (index, block) in loop.enumerated() {
            let l = index + 1
            try block.forward(spikes: populations[l - 1].spikes, density: populations[l - 1].density,
                              into: w.preactivation[l])
            try history?.recordPreactivation(w.preactivation[l], layer: l, step: t)
            try block.normalize(w.preactivation[l], into: w.current[l], mode: loopMode(l))
            populations[l].step(input: w.current[l].pointer, preSpikeMembrane: record?(l))
        }
    }

    private func finishSimulation(workspace w: LayeredWorkspace, trace: [Float]?) throws -> Simulation {
        try populations[last].rate(into: w.rate)
        return Simulation(outputRate: w.rate, spikeCounts: populations.map(\.spikeCount), residualTrace: trace)
    }

    /// ‖f_last(a₅[t]) − a₅[t]‖/‖a₅[t]‖ with the simulation's BN modes and masks.
    private func residual(workspace w: LayeredWorkspace, affines: [ChannelAffine]) throws -> Float {
        try populations[last].rate(into: w.rate)
        try feedback.apply(w.rate, into: w.feedback)
        EquilibriumKernels.clampedMap(feedback: w.feedback, mask: feedback.dropout.mask, current: w.current[0],
                                      threshold: threshold, into: w.map[0], active: nil)
        for (index, block) in loop.enumerated() {
            let l = index + 1
            try block.layer.forward(w.map[l - 1], into: w.scratch[l])
            try affines[index].apply(w.scratch[l], into: w.scratch[l])
            try block.dropout.apply(w.scratch[l])
            EquilibriumKernels.clampedMap(feedback: nil, mask: nil, current: w.scratch[l], threshold: threshold,
                                          into: w.map[l], active: nil)
        }
        return EquilibriumKernels.relativeDistance(w.map[last], w.rate)
    }

    // MARK: IDE (spec §3.4, §4.2, §4.3, §4.7)

    public func applyEquilibriumMap(at rate: Tensor, input batch: NetworkInput) throws {
        let x = try image(of: batch)
        guard let w = workspace else { throw NetworkError.backwardWithoutForward("applyEquilibriumMap before simulate") }
        let a = try rate.reshaped(w.rate.shape)
        // Training-mode application: batch statistics everywhere, running statistics updated.
        try feedback.apply(a, into: w.feedback)
        try input.normalize(w.preactivation[0], into: w.current[0], mode: .training(updatingRunningStatistics: true))
        EquilibriumKernels.clampedMap(feedback: w.feedback, mask: feedback.dropout.mask, current: w.current[0],
                                      threshold: threshold, into: w.map[0], active: w.active[0])
        for (index, block) in loop.enumerated() {
            let l = index + 1
            try block.layer.forward(w.map[l - 1], into: w.preactivation[l])
            try block.normalize(w.preactivation[l], into: w.current[l], mode: .training(updatingRunningStatistics: true))
            EquilibriumKernels.clampedMap(feedback: nil, mask: nil, current: w.current[l], threshold: threshold,
                                          into: w.map[l], active: w.active[l])
        }
        // The Jacobian's linearisation (the reference's frozen clone): layer 1 as above, loop BN in
        // evaluation mode with the running statistics just updated.
        try w.jacobianActive[0].assign(w.active[0])
        try w.jacobianMap[0].assign(w.map[0])
        w.affines = loop.map { $0.norm.evaluationAffine() }
        for (index, block) in loop.enumerated() {
            let l = index + 1
            try block.layer.forward(w.jacobianMap[l - 1], into: w.scratch[l])
            try w.affines[index].apply(w.scratch[l], into: w.scratch[l])
            try block.dropout.apply(w.scratch[l])
            EquilibriumKernels.clampedMap(feedback: nil, mask: nil, current: w.scratch[l], threshold: threshold,
                                          into: w.jacobianMap[l], active: w.jacobianActive[l])
        }
        pendingEquilibrium = (a, x)
    }

    public func jacobianTransposeProduct(_ v: Tensor, into out: Tensor) throws {
        guard let w = workspace, pendingEquilibrium != nil else {
            throw NetworkError.backwardWithoutForward("jacobianTransposeProduct before applyEquilibriumMap")
        }
        try w.gradient[last].assign(try v.reshaped(w.shapes[last]))
        for l in stride(from: last, through: 1, by: -1) {
            let block = loop[l - 1]
            EquilibriumKernels.maskedGradient(w.gradient[l], active: w.jacobianActive[l], mask: block.dropout.mask,
                                              threshold: threshold, into: w.scratch[l])
            try w.affines[l - 1].scale(w.scratch[l])
            try block.layer.applyTransposed(weight: block.layer.weight.value, to: w.scratch[l], into: w.gradient[l - 1])
        }
        EquilibriumKernels.maskedGradient(w.gradient[0], active: w.jacobianActive[0], mask: feedback.dropout.mask,
                                          threshold: threshold, into: w.scratch[0])
        try feedback.applyTransposed(w.scratch[0], into: try out.reshaped(w.shapes[last]))
    }

    public func backwardEquilibriumMap(_ beta: Tensor) throws {
        guard let w = workspace, let (rate, image) = pendingEquilibrium else {
            throw NetworkError.backwardWithoutForward("backwardEquilibriumMap before applyEquilibriumMap")
        }
        pendingEquilibrium = nil
        try w.gradient[last].assign(try beta.reshaped(w.shapes[last]))
        for l in stride(from: last, through: 1, by: -1) {
            EquilibriumKernels.maskedGradient(w.gradient[l], active: w.active[l], mask: nil, threshold: threshold,
                                              into: w.scratch[l])
            try loop[l - 1].backward(input: w.map[l - 1], outputGradient: w.scratch[l], scratch: w.current[l],
                                     inputGradient: w.gradient[l - 1])
        }
        EquilibriumKernels.maskedGradient(w.gradient[0], active: w.active[0], mask: feedback.dropout.mask,
                                          threshold: threshold, into: w.scratch[0])
        try feedback.accumulateGradient(input: rate, maskedOutputGradient: w.scratch[0])
        EquilibriumKernels.maskedGradient(w.gradient[0], active: w.active[0], mask: nil, threshold: threshold,
                                          into: w.scratch[0])
        try input.backward(input: image, outputGradient: w.scratch[0], scratch: w.current[0], inputGradient: nil)
        try feedback.finishBackward()
    }

    // MARK: STBP (spec §10)

    /// Loop BN runs in training mode at every step (batch statistics of that step, running
    /// statistics updated at every call, as an unrolled PyTorch model in train mode would do);
    /// the input current is computed once with batch statistics.
    public func simulateRecordingHistory(_ batch: NetworkInput, surrogate: SpikeSurrogate) throws -> Simulation {
        let w = try prepareSimulation(batch, phase: .training, updateRunningStatistics: true)
        let recorded = LayeredHistory(image: try image(of: batch), surrogate: surrogate, steps: timeSteps, shapes: w.shapes)
        history = recorded
        for t in 1...timeSteps {
            try step(t, workspace: w, loopMode: { _ in .training(updatingRunningStatistics: true) },
                     record: { recorded.membrane(layer: $0, step: t) })
        }
        recorded.isComplete = true
        return try finishSimulation(workspace: w, trace: nil)
    }

    public func backwardThroughTime(rateGradient: Tensor) throws {
        guard let w = workspace, let history, history.isComplete else {
            throw NetworkError.backwardWithoutForward("backwardThroughTime before simulateRecordingHistory")
        }
        self.history = nil
        let g = try rateGradient.reshaped(w.shapes[last])
        let reversals = w.timeReversals
        for reversal in reversals { reversal.reset() }
        let inputGradient = w.map[0]
        inputGradient.fill(0)
        let normaliser = rateNormaliser, lambda = neuron.lambda
        for t in stride(from: timeSteps, through: 1, by: -1) {
            // Last layer: readout + feedback into layer 1 at t + 1.
            let output = reversals[last]
            try output.directSpikeGradient(g, weight: pow(lambda, Float(timeSteps - t)) / normaliser)
            if t < timeSteps {
                try reversals[0].maskNextMembraneGradient(feedback.dropout.mask)
                try feedback.applyTransposed(reversals[0].maskedNext, into: output.feedbackGradient)
                try output.spikeGradient.add(output.feedbackGradient)
                try history.spikes(layer: last, step: t, threshold: threshold, into: output.spikes)
                try feedback.accumulateGradient(input: output.spikes, maskedOutputGradient: reversals[0].maskedNext)
            }
            // Layers L…2: the surrogate step, then F_l's VJP at step t gives layer l−1's δs[t].
            for l in stride(from: last, through: 1, by: -1) {
                let reversal = reversals[l], block = loop[l - 1]
                reversal.step(membrane: history.membrane(layer: l, step: t), surrogate: history.surrogate,
                              lambda: lambda, threshold: threshold)
                try block.norm.forward(history.preactivation(layer: l, step: t), into: w.scratch[l],
                                       mode: .training(updatingRunningStatistics: false))
                try w.gradient[l].assign(reversal.membraneGradient)
                try history.spikes(layer: l - 1, step: t, threshold: threshold, into: reversals[l - 1].spikes)
                try block.backward(input: reversals[l - 1].spikes, outputGradient: w.gradient[l], scratch: w.scratch[l],
                                   inputGradient: reversals[l - 1].spikeGradient)
            }
            reversals[0].step(membrane: history.membrane(layer: 0, step: t), surrogate: history.surrogate,
                              lambda: lambda, threshold: threshold)
            try inputGradient.add(reversals[0].membraneGradient)
        }
        try input.backward(input: history.image, outputGradient: inputGradient, scratch: w.current[0], inputGradient: nil)
        try feedback.finishBackward()
    }

    private func workspace(batchSize: Int) -> LayeredWorkspace {
        if let workspace, workspace.batchSize == batchSize { return workspace }
        let created = LayeredWorkspace(batchSize: batchSize, layerShapes: layerShapes)
        workspace = created
        return created
    }
}
