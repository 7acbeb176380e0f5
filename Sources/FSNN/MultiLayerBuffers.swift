import Layers
import Tensor

/// Per-layer buffers of one batch size.
final class LayeredWorkspace {
    let batchSize: Int
    let shapes: [[Int]]
    let preactivation, current, map, active, jacobianMap, jacobianActive, gradient, scratch: [Tensor]
    let feedback, rate: Tensor
    var affines: [ChannelAffine] = []
    /// The BPTT buffers per layer, created on the first STBP step.
    private(set) lazy var timeReversals = shapes.map { TimeReversal(shape: $0) }

    init(batchSize: Int, layerShapes: [[Int]]) {
        self.batchSize = batchSize
        let shapes = layerShapes.map { [batchSize] + $0 }
        self.shapes = shapes
        func buffers() -> [Tensor] { shapes.map { Tensor(zeros: $0) } }
        preactivation = buffers()
        current = buffers()
        map = buffers()
        active = buffers()
        jacobianMap = buffers()
        jacobianActive = buffers()
        gradient = buffers()
        scratch = buffers()
        feedback = Tensor(zeros: shapes[0])
        rate = Tensor(zeros: shapes.last!)
    }
}

/// What STBP keeps per step for the multi-layer network: every layer's pre-spike membrane and
/// the loop layers' BN inputs (spikes are recomputed from the membranes).
final class LayeredHistory {
    let image: Tensor
    let surrogate: SpikeSurrogate
    let membranes: [Tensor]
    let preactivations: [Tensor?]
    var isComplete = false

    init(image: Tensor, surrogate: SpikeSurrogate, steps: Int, shapes: [[Int]]) {
        self.image = image
        self.surrogate = surrogate
        membranes = shapes.map { Tensor(zeros: [steps] + $0) }
        preactivations = shapes.indices.map { $0 == 0 ? nil : Tensor(zeros: [steps] + shapes[$0]) }
    }

    func membrane(layer: Int, step t: Int) -> UnsafeMutablePointer<Float> {
        membranes[layer].pointer + (t - 1) * (membranes[layer].count / membranes[layer].shape[0])
    }

    func recordPreactivation(_ z: Tensor, layer: Int, step t: Int) throws {
        guard let stored = preactivations[layer] else { return }
        try preactivation(layer: layer, step: t, of: stored).assign(z)
    }

    func preactivation(layer: Int, step t: Int) throws -> Tensor {
        try preactivation(layer: layer, step: t, of: preactivations[layer]!)
    }

    private func preactivation(layer: Int, step t: Int, of stored: Tensor) throws -> Tensor {
        try stored.batch(t - 1..<t).reshaped(Array(stored.shape.dropFirst()))
    }

    /// s[t] = H(m[t] − V_th) of a layer.
    func spikes(layer: Int, step t: Int, threshold: Float, into s: Tensor) throws {
        VectorKernels.heaviside(s.pointer, membrane(layer: layer, step: t), s.count, threshold: threshold)
    }
}
