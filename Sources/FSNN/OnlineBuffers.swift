import Layers
import Tensor

/// OTTT's buffers for one batch size (spec §13.3), owned by the method: one step's records and
/// gradients, and the presynaptic traces — nothing that grows with T. Each is allocated at its
/// first use, [B] + the layer's sample shape unless stated.
final class OnlineBuffers {
    final class Layer {
        let shape: [Int]
        /// Λ_t ∂L[t]/∂s_l[t], turned in place into Λ_t ∂L[t]/∂m_l[t] and then, by the layer's block
        /// VJP, into the gradient of its pre-activation.
        private(set) lazy var gradient = Tensor(zeros: shape)
        /// r_l[t] = â_l[t]/Λ_t, the layer's spikes' trace â_l[t] = λ â_l[t−1] + s_l[t] normalised:
        /// the running rate, which the next loop block reads in its VJP.
        private(set) lazy var rate = Tensor(zeros: shape)
        /// A loop layer's BN state at step t.
        private(set) lazy var saved = BatchNorm.Saved(channels: shape[1])

        init(shape: [Int]) {
            self.shape = shape
        }
    }

    let batchSize: Int
    /// One set per spiking layer, layer 1 first.
    let layers: [Layer]
    /// Step t's pre-spike membranes (one slot).
    let records: StepRecords
    /// The feedback's trace â_W[t] = λ â_W[t−1] + s_L[t−1] (its input is s_L one step late), [B] + the
    /// last layer's shape, and m_W ⊙ Λ_t ∂L[t]/∂m₁[t] / Λ_t, the gradient its weight reads.
    private(set) lazy var feedbackTrace = Tensor(zeros: layers[layers.count - 1].shape)
    private(set) lazy var maskedFeedbackGradient = Tensor(zeros: layers[0].shape)
    /// Static images: Σ_t Λ_t ∂L[t]/∂m₁[t], pushed through BN₁ and F₁ once per update.
    private(set) lazy var currentGradient = Tensor(zeros: layers[0].shape)
    /// Spike frames: the frames' trace normalised, r_x[t] = (λ Λ_{t−1} r_x[t−1] + x[t])/Λ_t
    /// ([B] + frame shape), F₁ r_x[t] and BN₁'s state there.
    private(set) lazy var frameRate = Tensor(zeros: frameShape)
    private(set) lazy var frameRatePreactivation = Tensor(zeros: layers[0].shape)
    private(set) lazy var inputSaved = BatchNorm.Saved(channels: layers[0].shape[1])
    /// The classifier on the step's spikes and ∂L[t]/∂o[t], [B, classes].
    let logits: Tensor
    let logitGradient: Tensor
    private let frameShape: [Int]

    init(network: FeedbackNetwork, batchSize: Int, surrogate: SpikeSurrogate) {
        self.batchSize = batchSize
        layers = network.layerShapes.map { Layer(shape: [batchSize] + $0) }
        records = StepRecords(neurons: network.layerSizes.map { batchSize * $0 }, slots: 1, surrogate: surrogate,
                              threshold: network.threshold, keepingMembranes: false)
        frameShape = [batchSize] + network.input.inputSampleShape
        logits = Tensor(zeros: [batchSize, network.classifier.outputFeatures])
        logitGradient = Tensor(zeros: [batchSize, network.classifier.outputFeatures])
    }
}
