import Layers
import Tensor

/// The buffers of the equilibrium map's linearisation and VJPs for one batch size (spec §4),
/// owned by the IDE method and handed to `EquilibriumMap`: one set per spiking layer, each
/// allocated at its first use (which ones a network needs depends on its depth, its input and
/// the quirks).
final class MapBuffers {
    /// The buffers of one spiking layer, [B] + its sample shape each.
    final class Layer {
        let shape: [Int]
        /// a_l of the training-mode application of f at a (layer 1 first holds W a, then a₁ in
        /// place; a loop layer first F_l a_{l−1}, then its BN, then a_l in place), and its clamp
        /// derivative D_l = 1[0 < p < 1] (spec §4.6).
        private(set) lazy var map = Tensor(zeros: shape)
        private(set) lazy var active = Tensor(zeros: shape)
        /// What BN_l saves in that application, for ∂f/∂θ.
        private(set) lazy var saved = BatchNorm.Saved(channels: shape[1])
        /// Layer 1 with spike input: m₁ ⊙ BN₁(F₁ x̄) in training mode (the simulation's current
        /// runs on fixed statistics, so the map has its own).
        private(set) lazy var current = Tensor(zeros: shape)
        /// a_l and D_l of the Jacobian's own application of f where it does not share the
        /// training-mode one (spec §4.3): at a from layer 2 on with the loop BNs in evaluation mode,
        /// or at z̃ from layer 1 on (quirk B13); and what BN_l saves in it (quirks B11 + B13).
        private(set) lazy var jacobianMap = Tensor(zeros: shape)
        private(set) lazy var jacobianActive = Tensor(zeros: shape)
        private(set) lazy var jacobianSaved = BatchNorm.Saved(channels: shape[1])
        /// The gradient reaching the layer's output in a VJP (Jᵀv, βᵀ ∂f/∂θ).
        private(set) lazy var gradient = Tensor(zeros: shape)
        /// Scratch of the VJPs (D ⊙ m ⊙ δ / V_th before a block's or the feedback's VJP) and of the
        /// Jacobian's own application (its pre-activations, W z̃).
        private(set) lazy var scratch = Tensor(zeros: shape)

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
