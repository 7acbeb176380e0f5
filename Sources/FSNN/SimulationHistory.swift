import Layers
import Tensor

/// What STBP keeps of a simulation's T steps for its backward (spec §10), as the simulation's
/// observer: per layer and step, what the backward needs of the pre-spike membrane m_l[t] — one
/// byte per neuron (spike bit and surrogate-window bit) for the rectangular surrogate, the Float
/// m_l[t] for the others — and the step's spike density; and the BN inputs z_l[t] of the loop
/// layers (and of layer 1 for spike input). Its size grows linearly with T. With
/// `keepingMembranes` it records every layer's Float membranes for inspection (`membranes(layer:)`).
public final class SimulationHistory: StepObserver {
    /// Slot t − 1 holds step t.
    private let records: StepRecords
    /// Spike density of each layer at each step (t − 1).
    private var densities: [[Float]]
    /// [T] + [B] + layer shape for the layers whose BN input changes from step to step.
    private let preactivations: [Tensor?]

    /// A record of every layer's Float membranes m_l[t] of `network`'s simulations of `batchSize`
    /// samples, for inspection (`membranes(layer:)`).
    public convenience init(membranesOf network: FeedbackNetwork, batchSize: Int) {
        self.init(network: network, surrogate: SpikeSurrogate(), batchSize: batchSize, keepingMembranes: true)
    }

    /// STBP's history of `network`'s simulations of `batchSize` samples for `surrogate`.
    /// - Parameter keepingMembranes: store the Float m_l[t] even for the rectangular surrogate.
    init(network: FeedbackNetwork, surrogate: SpikeSurrogate, batchSize: Int, keepingMembranes: Bool = false) {
        let count = network.timeSteps
        let shapes = network.layerShapes.map { [batchSize] + $0 }
        records = StepRecords(neurons: shapes.map { $0.reduce(1, *) }, slots: count, surrogate: surrogate,
                              threshold: network.threshold, keepingMembranes: keepingMembranes)
        densities = shapes.map { _ in [Float](repeating: 0, count: count) }
        preactivations = shapes.indices.map { l in
            l > 0 || network.inputKind == .spikeFrames ? Tensor(zeros: [count] + shapes[l]) : nil
        }
    }

    var surrogate: SpikeSurrogate { records.surrogate }

    // MARK: Recording (the simulation's observer)

    public func recording(layer l: Int, step t: Int) -> RecordingTarget? { records.target(layer: l, slot: t - 1) }

    /// Stores the step's spike density and z_l[t] (when the layer's BN input changes from step to step).
    public func layerStepped(_ l: Int, step t: Int, population: SpikingPopulation, current: Tensor,
                             preactivation: Tensor?) throws {
        densities[l][t - 1] = population.density
        if let stored = preactivations[l], let preactivation { try Self.slice(stored, step: t).assign(preactivation) }
    }

    // MARK: Reading (the backward)

    /// Layer l's pre-spike membranes m_l[t] for t = 1…T as [T, B·neurons] (step-major; B = 1 gives
    /// [T, neurons]), nil when only step codes were kept. The history's own storage.
    public func membranes(layer l: Int) -> Tensor? { records.membranes(layer: l) }

    /// Layer l's record of step t, for the backward step.
    func record(layer l: Int, step t: Int) -> StepRecord { records.record(layer: l, slot: t - 1) }

    /// The spike density of layer l at step t.
    func density(layer l: Int, step t: Int) -> Float { densities[l][t - 1] }

    /// s_l[t] = H(m_l[t] − V_th).
    func spikes(layer l: Int, step t: Int, into s: Tensor) { records.spikes(layer: l, slot: t - 1, into: s) }

    /// z_l[t] as stored.
    func preactivation(layer l: Int, step t: Int) throws -> Tensor {
        try Self.slice(preactivations[l]!, step: t)
    }

    private static func slice(_ stored: Tensor, step t: Int) throws -> Tensor {
        try stored.batch(t - 1..<t).reshaped(Array(stored.shape.dropFirst()))
    }
}
