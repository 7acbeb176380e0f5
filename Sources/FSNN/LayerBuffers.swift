import Layers
import Tensor

/// The buffers of one spiking layer, [B] + its sample shape each. Which ones a network uses
/// depends on its depth and input, so each is allocated at its first use.
final class LayerBuffers {
    let shape: [Int]
    /// z_l = F_l(·) before BN: the input block's F₁ x (or F₁ x̄, F₁ x[t]); a loop block's F_l s_{l−1}[t] or F_l a_{l−1}.
    private(set) lazy var preactivation = Tensor(zeros: shape)
    /// The layer's input current m_l ⊙ BN_l(z_l) (simulation) or its train-mode value (map).
    private(set) lazy var current = Tensor(zeros: shape)
    /// a_l of the train-mode map and its clamp derivative D_l = 1[0 < p < 1] (spec §4.6).
    private(set) lazy var map = Tensor(zeros: shape)
    private(set) lazy var active = Tensor(zeros: shape)
    /// a_l and D_l of the Jacobian's own application of f where it does not share the train-mode
    /// one (spec §4.3): at a from layer 2 on with the loop BNs in evaluation mode, or at z̃ from
    /// layer 1 on (quirk B13).
    private(set) lazy var jacobianMap = Tensor(zeros: shape)
    private(set) lazy var jacobianActive = Tensor(zeros: shape)
    /// Gradients flowing into the layer's output, and a scratch buffer for its VJPs and for the
    /// Jacobian's application of f.
    private(set) lazy var gradient = Tensor(zeros: shape)
    private(set) lazy var scratch = Tensor(zeros: shape)
    /// What the layer's BN saves for its VJP (the map's train-mode forward, or a BPTT step's).
    private(set) lazy var saved = BatchNorm.Saved(channels: shape[1])
    /// What the layer's BN saves in the Jacobian's training-mode application at z̃ (quirks B11 + B13).
    private(set) lazy var jacobianSaved = BatchNorm.Saved(channels: shape[1])

    // BPTT (spec §10), see `FeedbackNetwork.backwardThroughTime`:
    /// δs[t], assembled before the population's backward step.
    private(set) lazy var spikeGradient = Tensor(zeros: shape)
    /// δm[t] after the backward step (and δv[t−1] for the next one, so one buffer holds both).
    private(set) lazy var membraneGradient = Tensor(zeros: shape)
    /// m_W ⊙ δm₁[t+1], the masked gradient reaching the feedback synapses, then m_W ⊙ e₁[t] (layer 1).
    private(set) lazy var maskedNext = Tensor(zeros: shape)
    /// P[t] = Wᵀ(m_W ⊙ δm₁[t+1]), carried back from step to step (last layer).
    private(set) lazy var feedbackGradient = Tensor(zeros: shape)
    /// Wᵀ(m_W ⊙ e₁[t]), the step's change of P (last layer).
    private(set) lazy var feedbackIncrement = Tensor(zeros: shape)
    /// s[t] recomputed from the stored membrane.
    private(set) lazy var spikes = Tensor(zeros: shape)

    init(shape: [Int]) {
        self.shape = shape
    }
}
