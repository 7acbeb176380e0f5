import Tensor

/// One batch's simulation (spec §2.5, §2.6) and what the phases after it read: the output rate,
/// the batch's input to layer 1 (F₁'s pre-activation, I, x̄, BN₁'s saved state) and the spike
/// counts. It belongs to whoever reads it next — a gradient method, an evaluation — and is
/// overwritten only when its owner hands it back to `FeedbackNetwork.simulate(…into:…)` for the
/// next batch of its shape.
public final class Simulation {
    /// Rate a_L[T] of the output population (the classifier's input and the fixed-point variable),
    /// [B] + output shape.
    public let outputRate: Tensor
    /// Layer 1's input.
    let input: InputCurrent
    /// Spikes emitted per spiking layer (layer 1 first) during the T steps, summed over the batch.
    public internal(set) var spikeCounts: [Double] = []

    /// Buffers for batches of `batch`'s shape (canonical for `network`).
    init(network: FeedbackNetwork, batch: NetworkInput) {
        outputRate = Tensor(zeros: [batch.batchSize] + network.outputShape)
        input = InputCurrent(network: network, batch: batch)
    }

    /// The batch simulated last, canonical for the network.
    public var batch: NetworkInput { input.batch }
}
