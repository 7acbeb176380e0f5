import Layers
import Tensor

/// ‖f(a[t]) − a[t]‖ / ‖a[t]‖ over the batch after every step t = 1…T of an evaluation
/// simulation (spec §9.5, the convergence figure), as the simulation's observer: f with the
/// simulation's BN modes and masks — the loop BNs as their evaluation affine maps — and the input
/// current averaged like the rate up to t, Σ_{τ≤t} λ^{t−τ} I[τ]/Λ_t (I itself for static images).
public final class ResidualTrace: StepObserver {
    private let network: FeedbackNetwork
    private let affines: [ChannelAffine]
    /// a[t], W a[t], the map's a_l per layer, its loop layers' currents, all [B] + the layer's shape.
    private let rate: Tensor
    private let feedback: Tensor
    private let maps: [Tensor]
    private let currents: [Tensor]
    /// Spike input: Σ_{τ≤t} λ^{t−τ} I[τ] and the average it gives.
    private let currentSum: Tensor?
    private let averageCurrent: Tensor?
    /// I of static input, as the simulation handed it.
    private var staticCurrent: Tensor?
    /// The relative residual after each step so far.
    public private(set) var values: [Float] = []

    /// A trace of `network`'s evaluation simulation of `batchSize` samples (its loop BNs' running
    /// statistics read now).
    public init(network: FeedbackNetwork, batchSize: Int) {
        self.network = network
        affines = network.loop.map { $0.norm.evaluationAffine() }
        let shapes = network.layerShapes.map { [batchSize] + $0 }
        rate = Tensor(zeros: shapes[network.last])
        feedback = Tensor(zeros: shapes[0])
        maps = shapes.map { Tensor(zeros: $0) }
        currents = shapes.dropFirst().map { Tensor(zeros: $0) }
        let spikes = network.inputKind == .spikeFrames
        currentSum = spikes ? Tensor(zeros: shapes[0]) : nil
        averageCurrent = spikes ? Tensor(zeros: shapes[0]) : nil
    }

    public func layerStepped(_ l: Int, step t: Int, population: SpikingPopulation, current: Tensor,
                             preactivation: Tensor?) throws {
        guard l == 0 else { return }
        guard let currentSum else {
            staticCurrent = current
            return
        }
        if t == 1 { currentSum.fill(0) }
        VectorKernels.scaleAndAdd(currentSum.pointer, network.neuron.lambda, current.pointer, current.count)
    }

    public func stepFinished(_ t: Int) throws {
        let threshold = network.threshold
        try network.populations[network.last].rate(into: rate)
        try network.feedback.apply(rates: rate, into: feedback)
        var density = EquilibriumKernels.clampedMap(feedback: feedback, mask: network.feedback.dropout.mask,
                                                    current: try average(upTo: t), threshold: threshold,
                                                    into: maps[0], active: nil)
        for (index, block) in network.loop.enumerated() {
            let current = currents[index]
            try block.forward(rates: maps[index], density: density, into: current)
            try affines[index].apply(current, into: current)
            try block.dropout.apply(current)
            density = EquilibriumKernels.clampedMap(feedback: nil, mask: nil, current: current, threshold: threshold,
                                                    into: maps[index + 1], active: nil)
        }
        values.append(EquilibriumKernels.relativeDistance(maps[network.last], rate))
    }

    /// The input current averaged like the rate up to step t.
    private func average(upTo t: Int) throws -> Tensor {
        guard let currentSum, let averageCurrent else { return staticCurrent! }
        try averageCurrent.assign(currentSum)
        averageCurrent.scale(by: 1 / SpikingPopulation.normaliser(neuron: network.neuron, steps: t))
        return averageCurrent
    }
}
