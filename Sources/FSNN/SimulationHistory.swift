import Layers
import Tensor

/// What STBP keeps of a simulation's T steps for its backward (spec §10): every layer's pre-spike
/// membrane m_l[t] (spikes are recomputed as H(m_l[t] − V_th)), the BN inputs z_l[t] of the loop
/// layers — and of layer 1 for spike input — and the batch's input current, which replays the
/// frames and holds the fixed BN statistics. Its size grows linearly with T.
public final class SimulationHistory {
    let surrogate: SpikeSurrogate
    let current: InputCurrent
    /// [T] + [B] + layer shape, per layer.
    private let membranes: [Tensor]
    /// [T] + [B] + layer shape for the layers whose BN input changes from step to step.
    private let preactivations: [Tensor?]

    /// - Parameter shapes: [B] + sample shape of each layer, layer 1 first.
    init(current: InputCurrent, surrogate: SpikeSurrogate, steps: Int, shapes: [[Int]]) {
        self.current = current
        self.surrogate = surrogate
        membranes = shapes.map { Tensor(zeros: [steps] + $0) }
        preactivations = shapes.indices.map { l in
            l > 0 || current.variesWithTime ? Tensor(zeros: [steps] + shapes[l]) : nil
        }
    }

    /// Where m_l[t] is (t = 1…T).
    func membrane(layer l: Int, step t: Int) -> UnsafeMutablePointer<Float> {
        membranes[l].pointer + (t - 1) * (membranes[l].count / membranes[l].shape[0])
    }

    /// Stores z_l[t] (no-op for a layer whose BN input is static).
    func recordPreactivation(_ z: Tensor, layer l: Int, step t: Int) throws {
        guard let stored = preactivations[l] else { return }
        try Self.slice(stored, step: t).assign(z)
    }

    /// z_l[t] as stored.
    func preactivation(layer l: Int, step t: Int) throws -> Tensor {
        try Self.slice(preactivations[l]!, step: t)
    }

    /// s_l[t] = H(m_l[t] − V_th).
    func spikes(layer l: Int, step t: Int, threshold: Float, into s: Tensor) {
        VectorKernels.heaviside(s.pointer, membrane(layer: l, step: t), s.count, threshold: threshold)
    }

    private static func slice(_ stored: Tensor, step t: Int) throws -> Tensor {
        try stored.batch(t - 1..<t).reshaped(Array(stored.shape.dropFirst()))
    }
}
