import FSNN
import Layers
import Tensor

/// The names of a network's parts as result, checkpoint and inspection files use them.
extension FeedbackNetwork {
    /// Names of the hidden spiking layers: `hidden` for a single-layer network, `L1` … `Ln` for a
    /// multi-layer one (the report's and the result files' layer labels).
    public var layerNames: [String] {
        layerSizes.count == 1 ? ["hidden"] : (1...layerSizes.count).map { "L\($0)" }
    }

    /// The variational dropout layers with PyTorch-style names (`input.dropout`,
    /// `feedback.dropout`, `layers.<l>.dropout`), in the order `prepare` draws their masks.
    var namedDropouts: [(name: String, dropout: VariationalDropout)] {
        let blocks = namedBlocks.map { (name: "\($0.name).dropout", dropout: $0.block.dropout) }
        return [blocks[0], (name: "feedback.dropout", dropout: feedback.dropout)] + blocks.dropFirst()
    }

    /// The feedback connection's effective weight W_eff = clamp(g)·W_raw/σ̂ of the current batch
    /// (spec §6.1), in the feedback layer's PyTorch layout.
    var effectiveFeedbackWeight: Tensor { feedback.layer.weight.value }
}
