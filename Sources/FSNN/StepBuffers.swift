import Layers
import Tensor

/// The buffers of one batch size, allocated at first use and reused by every step, the map's
/// VJPs and the BPTT backward (nothing is allocated inside the time-step loop).
final class NetworkWorkspace {
    let batchSize: Int
    /// One set per spiking layer, layer 1 first.
    let layers: [LayerBuffers]
    /// [B] + layer 1's shape: W s_L[t − 1] in the simulation, W a_L in the map.
    private(set) lazy var feedback = Tensor(zeros: layers[0].shape)
    /// [B] + the output shape: a_L[T].
    private(set) lazy var rate = Tensor(zeros: layers[layers.count - 1].shape)
    /// Spike input only: one frame x[t] and the averaged input x̄ ([B] + frame shape), a step's
    /// F₁ x[t], and the current summed like the rate (for the residual trace).
    let frameShape: [Int]?
    private(set) lazy var frame = Tensor(zeros: [batchSize] + frameShape!)
    private(set) lazy var averageInput = Tensor(zeros: [batchSize] + frameShape!)
    private(set) lazy var stepPreactivation = Tensor(zeros: layers[0].shape)
    private(set) lazy var currentSum = Tensor(zeros: layers[0].shape)

    init(batchSize: Int, layerShapes: [[Int]], frameShape: [Int]?) {
        self.batchSize = batchSize
        self.frameShape = frameShape
        layers = layerShapes.map { LayerBuffers(shape: [batchSize] + $0) }
    }
}
