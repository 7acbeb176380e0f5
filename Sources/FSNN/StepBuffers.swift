import Tensor

/// The buffers a simulation step of the network writes, for one batch size (the network owns
/// them; nothing reads them once the step is over): the feedback current into layer 1 and, per
/// loop layer, its BN input and current. Layer 1's input belongs to the simulation
/// (`InputCurrent`), the neurons' state to the populations.
final class StepBuffers {
    let batchSize: Int
    /// W s_L[t − 1], [B] + layer 1's shape.
    let feedback: Tensor
    /// z_l[t] = F_l s_{l−1}[t] per loop layer (l = 2…L), [B] + the layer's shape.
    let preactivations: [Tensor]
    /// m_l ⊙ BN_l(z_l[t]) per loop layer, [B] + the layer's shape.
    let currents: [Tensor]

    init(network: FeedbackNetwork, batchSize: Int) {
        let shapes = network.layerShapes.map { [batchSize] + $0 }
        self.batchSize = batchSize
        feedback = Tensor(zeros: shapes[0])
        preactivations = shapes.dropFirst().map { Tensor(zeros: $0) }
        currents = shapes.dropFirst().map { Tensor(zeros: $0) }
    }
}
