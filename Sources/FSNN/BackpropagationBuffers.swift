import Layers
import Tensor

/// STBP's backward buffers for one batch size (spec §10), owned by the method and handed to
/// `FeedbackNetwork.backwardThroughTime`: one set per spiking layer, each allocated at its first
/// use, [B] + the layer's sample shape.
final class BackpropagationBuffers {
    final class Layer {
        let shape: [Int]
        /// δs[t], assembled before the population's backward step.
        private(set) lazy var spikeGradient = Tensor(zeros: shape)
        /// δm[t] after the backward step (and δv[t−1] for the next one, so one buffer holds both).
        private(set) lazy var membraneGradient = Tensor(zeros: shape)
        /// s[t] recomputed from the history.
        private(set) lazy var spikes = Tensor(zeros: shape)
        /// The gradient handed to the layer's block VJP (δm[t], or δI[t] for layer 1 with spike
        /// input), overwritten by it, and the block's BN state at step t.
        private(set) lazy var blockGradient = Tensor(zeros: shape)
        private(set) lazy var saved = BatchNorm.Saved(channels: shape[1])
        /// Layer 1: m_W ⊙ δm₁[t+1], the masked gradient reaching the feedback synapses, then
        /// m_W ⊙ e₁[t]; and δI summed over the steps (static images).
        private(set) lazy var maskedNext = Tensor(zeros: shape)
        private(set) lazy var currentGradient = Tensor(zeros: shape)
        /// Last layer: P[t] = Wᵀ(m_W ⊙ δm₁[t+1]), carried back from step to step, and the step's
        /// change of it, Wᵀ(m_W ⊙ e₁[t]).
        private(set) lazy var feedbackGradient = Tensor(zeros: shape)
        private(set) lazy var feedbackIncrement = Tensor(zeros: shape)

        init(shape: [Int]) {
            self.shape = shape
        }
    }

    let batchSize: Int
    /// One set per spiking layer, layer 1 first.
    let layers: [Layer]

    init(network: FeedbackNetwork, batchSize: Int) {
        self.batchSize = batchSize
        layers = network.layerShapes.map { Layer(shape: [batchSize] + $0) }
    }
}
