import Layers
import Tensor

/// A feedback spiking network over L ≥ 1 spiking layers (spec §2, §3): the single-layer networks
/// of §3.1 are L = 1 (F-MNIST F400, MNIST and N-MNIST 64C5s), AlexNet-F and CIFARNet-F are L = 5
/// with the delayed feedback of §2.6.
///
/// Layer 1 is driven by the input block F₁ (conv/FC + bias, BN, dropout) and, one step late, by
/// the feedback W (spectral reparameterisation, dropout) of the last layer's spikes; layer l ≥ 2
/// by the loop block F_l of layer l − 1's spikes of the same step:
///
///     m₁[t] = v₁[t−1] + m_W ⊙ W s_L[t−1] + I[t],     I[t] = m₁ ⊙ BN₁(F₁ x[t])
///     m_l[t] = v_l[t−1] + m_l ⊙ BN_l(F_l s_{l−1}[t]),  l = 2…L
///
/// (for L = 1, s_L = s₁: the population feeds itself). The input block reads static images — the
/// current is computed once per batch — or spike frames, one per step (`inputKind`). The readout
/// is the rate a_L[T] of the last layer, which is also the fixed-point variable of the
/// equilibrium map (`equilibriumMap`, spec §3.4).
///
/// The simulator (`simulate`), the map and the backward passes all use the same layer objects.
/// The network owns its parameters, its populations and the buffers a simulation step writes
/// (`StepBuffers`); everything a batch leaves for later phases is a value its reader owns: the
/// `Simulation`, the map's linearisation and buffers (IDE), the history (STBP), the traces (OTTT).
public final class FeedbackNetwork: ParameterContainer {
    public let neuron: NeuronModel
    public let threshold: Float
    public let timeSteps: Int
    public let quirks: Set<Quirk>
    /// F₁, the input block of layer 1.
    public let input: SynapticBlock
    /// What F₁ reads.
    public let inputKind: InputKind
    /// F₂…F_L (empty for a single-layer network).
    public let loop: [SynapticBlock]
    /// W, from the last layer to the first.
    public let feedback: FeedbackConnection
    /// Readout on the flattened output rate (spec §5).
    public let classifier: Linear
    /// The L populations, layer 1 first.
    let populations: [SpikingPopulation]
    private var stepBuffers: StepBuffers?
    /// Asked before every simulation step, BPTT step and product with Jᵀ of an adjoint solve,
    /// so that a long batch (large T, many solver iterations) stops within one step once it
    /// returns true, with `WorkInterrupted`; a tool connects its interrupt flag. Nil never stops.
    public var interruptionCheck: (() -> Bool)?

    public init(neuron: NeuronModel, threshold: Float, timeSteps: Int, quirks: Set<Quirk>, input: SynapticBlock,
                inputKind: InputKind, loop: [SynapticBlock] = [], feedback: FeedbackConnection, classifier: Linear) {
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
        self.inputKind = inputKind
        self.loop = loop
        self.feedback = feedback
        self.classifier = classifier
        populations = shapes.map { SpikingPopulation(neuron: neuron, threshold: threshold, shape: [0] + $0) }
    }

    /// Throws `WorkInterrupted` naming `place` when `interruptionCheck` asks to stop.
    func checkInterruption(_ place: @autoclosure () -> String) throws(WorkInterrupted) {
        if let interruptionCheck, interruptionCheck() { throw WorkInterrupted(place: place()) }
    }

    /// Sample shape of each spiking layer, layer 1 first.
    var layerShapes: [[Int]] { [input.outputSampleShape] + loop.map(\.outputSampleShape) }
    /// Index of the output layer (0 for a single-layer network, 4 for the paper's five layers).
    var last: Int { loop.count }
    /// Shape of one sample of the output population; D = its element count.
    public var outputShape: [Int] { layerShapes[last] }
    /// D, the fixed-point dimension per sample.
    public var outputDimension: Int { outputShape.reduce(1, *) }
    /// Spiking neurons per sample in each layer (layer 1 first).
    public var layerSizes: [Int] { layerShapes.map { $0.reduce(1, *) } }
    /// Synaptic operations caused per spike of each layer's neurons, on average over the layer:
    /// the fan-out of its outgoing synapses (the next layer's block, or the feedback for the last).
    public var synapsesPerSpike: [Double] { (loop.map(\.layer) + [feedback.layer]).map { meanFanOut(of: $0) } }
    /// Multiply–adds of one dense application of the input block F₁ to one sample.
    public var inputMultiplyAdds: Int { input.layer.multiplyAddsPerSample }
    /// Multiply–adds of one dense application of the hidden synapses to one sample: the loop
    /// blocks F₂…F_L and the feedback W. With `inputMultiplyAdds`, the cost of the same structure
    /// run once as an ANN (the classifier, the same in both, not counted).
    public var hiddenMultiplyAdds: Int { (loop.map(\.layer) + [feedback.layer]).reduce(0) { $0 + $1.multiplyAddsPerSample } }
    /// Trainable scalars, the gain g included (spec §12.1 "params with BN").
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// Hidden spiking neurons + input dimensions (the paper's convention, spec §5.6).
    public func neuronCount(inputShape: [Int]) -> Int {
        layerSizes.reduce(0, +) + inputShape.reduce(1, *)
    }

    public func has(_ quirk: Quirk) -> Bool { quirks.contains(quirk) }

    /// Λ_T of this network's neuron for T steps.
    var rateNormaliser: Float { SpikingPopulation.normaliser(neuron: neuron, steps: timeSteps) }

    /// f, Jᵀv and the parameter VJP over this network's layers (spec §3, §4).
    public var equilibriumMap: EquilibriumMap { EquilibriumMap(network: self) }

    // MARK: Parameters

    /// The blocks under the reference code's names: `input` for a single-layer network,
    /// `layers.1` … `layers.L` for a multi-layer one.
    public var namedBlocks: [(name: String, block: SynapticBlock)] {
        guard !loop.isEmpty else { return [("input", input)] }
        return ([input] + loop).enumerated().map { ("layers.\($0.offset + 1)", $0.element) }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        namedBlocks.flatMap { $0.block.namedParameters(prefix: $0.name) } + feedback.namedParameters(prefix: "feedback")
            + classifier.namedParameters(prefix: "classifier")
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        namedBlocks.flatMap { $0.block.namedBuffers(prefix: $0.name) } + feedback.namedBuffers(prefix: "feedback")
    }

    /// Per-batch state: dropout masks (input block, feedback, loop blocks, in this order), the
    /// spectral power iteration and W_eff (spec §4.10 step 1).
    public func prepare(batchSize: Int, phase: Phase, generator: inout RandomGenerator) throws {
        input.prepare(batchSize: batchSize, phase: phase, generator: &generator)
        try feedback.prepare(batchSize: batchSize, phase: phase, iterateInEvaluation: has(.evalPowerIterationUpdate),
                             generator: &generator)
        for block in loop { block.prepare(batchSize: batchSize, phase: phase, generator: &generator) }
    }

    /// After an optimiser step within a batch (OTTT_O): the derived weights follow the parameters
    /// (W_eff, the products' relaid layouts); the batch's masks and u, v stay.
    func weightsChanged() throws {
        try feedback.weightChanged()
        for block in [input] + loop { block.events.prepare() }
    }

    /// The event-driven products of every layer that reads spikes or carries sparse gradients
    /// (the feedback, the loop blocks, and the input block when it reads spike frames), for tests
    /// and benchmarks that fix their crossovers.
    public var eventDrivenProducts: [EventDrivenProducts] {
        [feedback.events] + loop.map(\.events) + (inputKind == .spikeFrames ? [input.events] : [])
    }

    // MARK: Inputs and buffers

    /// The batch as the input block reads it: images viewed as [B] + its input sample shape (F400
    /// flattens 1×28×28 to 784); spike frames must already be [B, T] + that shape.
    func canonical(_ batch: NetworkInput) throws -> NetworkInput {
        switch (batch, inputKind) {
        case let (.image(x), .staticImage):
            return .image(try x.reshaped([x.shape[0]] + input.inputSampleShape))
        case let (.spikes(x), .spikeFrames):
            guard x.rank >= 2, Array(x.shape.dropFirst(2)) == input.inputSampleShape else {
                throw NetworkError.inputShape(expected: "[B, T] + \(Tensor.describe(input.inputSampleShape))", actual: x.shape)
            }
            guard x.shape[1] == timeSteps else {
                throw NetworkError.inputShape(expected: "[B, \(timeSteps)] + \(Tensor.describe(input.inputSampleShape)) spike frames",
                                              actual: x.shape)
            }
            return batch
        case (.spikes, .staticImage):
            throw NetworkError.unsupportedInput("this network's input block reads static images, not spike frames")
        case (.image, .spikeFrames):
            throw NetworkError.unsupportedInput("this network's input block reads spike frames, not static images")
        }
    }

    /// The step buffers for `batch` (canonical), allocated when its size differs from the last one's.
    func stepBuffers(for batch: NetworkInput) -> StepBuffers {
        stepBuffers.fitted(batchSize: batch.batchSize) { StepBuffers(network: self, batchSize: batch.batchSize) }
    }
}

/// Firing rate per layer, spikes / (neurons × T × samples) (spec §9.4 with the true sample count).
public func firingRates(spikeCounts: [Double], layerSizes: [Int], timeSteps: Int, samples: Int) -> [Double] {
    zip(spikeCounts, layerSizes).map { $0 / (Double($1) * Double(timeSteps) * Double(max(samples, 1))) }
}

/// Mean number of synapses one spike of an input neuron drives through `map` (its fan-out,
/// counted exactly by applying Aᵀ with unit weights to a unit output).
func meanFanOut(of map: any LinearMap) -> Double {
    let ones = Tensor(repeating: 1, shape: map.weight.shape)
    let output = Tensor(repeating: 1, shape: [1] + map.outputSampleShape)
    let fanOut = Tensor(zeros: [1] + map.inputSampleShape)
    do {
        try map.applyTransposed(weight: ones, to: output, into: fanOut)
    } catch {
        preconditionFailure("fan-out of \(map): \(error)")
    }
    return Double(fanOut.sum()) / Double(fanOut.count)
}
