import Layers
import Tensor

/// What STBP keeps of a simulation's T steps for its backward (spec §10): per layer and step,
/// what the backward needs of the pre-spike membrane m_l[t] — one byte per neuron (spike bit and
/// surrogate-window bit) for the rectangular surrogate, the Float m_l[t] for the others — and the
/// step's spike density; the BN inputs z_l[t] of the loop layers (and of layer 1 for spike input);
/// and the batch's input current, which replays the frames and holds the fixed BN statistics. Its
/// size grows linearly with T.
public final class SimulationHistory {
    let surrogate: SpikeSurrogate
    let current: InputCurrent
    private let threshold: Float
    /// [T] + [B] + layer shape per layer: Floats, or bytes packed four to a Float (so that the
    /// memory accounting of tensor storage sees them).
    private let steps: [Tensor]
    private let neurons: [Int]
    private let codes: Bool
    /// Spike density of each layer at each step (t − 1).
    private var densities: [[Float]]
    /// [T] + [B] + layer shape for the layers whose BN input changes from step to step.
    private let preactivations: [Tensor?]

    /// - Parameters:
    ///   - shapes: [B] + sample shape of each layer, layer 1 first.
    ///   - keepingMembranes: store the Float m_l[t] even for the rectangular surrogate (for
    ///     inspection, `membranes(layer:)`).
    init(current: InputCurrent, surrogate: SpikeSurrogate, threshold: Float, steps count: Int, shapes: [[Int]],
         keepingMembranes: Bool = false) {
        self.current = current
        self.surrogate = surrogate
        self.threshold = threshold
        codes = !keepingMembranes && surrogate.kind == .rectangular
        neurons = shapes.map { $0.reduce(1, *) }
        steps = neurons.map { [codes] n in
            codes ? Tensor.uninitialized([count, (n + 3) / 4]) : Tensor.uninitialized([count, n])
        }
        densities = shapes.map { _ in [Float](repeating: 0, count: count) }
        preactivations = shapes.indices.map { l in
            l > 0 || current.variesWithTime ? Tensor(zeros: [count] + shapes[l]) : nil
        }
    }

    /// Runs `body` with the recorder of layer l at step t (t = 1…T).
    func recording<R>(layer l: Int, step t: Int, _ body: (RecordingTarget) -> R) -> R {
        let start = UnsafeMutableRawPointer(steps[l].pointer + (t - 1) * steps[l].shape[1])
        if codes {
            return body(.codes(CodeRecording(target: start.assumingMemoryBound(to: UInt8.self), threshold: threshold,
                                             halfWidth: surrogate.parameter / 2)))
        }
        return body(.membranes(MembraneRecording(target: start.assumingMemoryBound(to: Float.self))))
    }

    /// Layer l's pre-spike membranes m_l[t] for t = 1…T as [T, B·neurons] (step-major; B = 1 gives
    /// [T, neurons]), nil when only step codes were kept. The history's own storage.
    public func membranes(layer l: Int) -> Tensor? { codes ? nil : steps[l] }

    /// Layer l's record of step t, for the backward step.
    func record(layer l: Int, step t: Int) -> StepRecord {
        let start = UnsafeRawPointer(steps[l].pointer + (t - 1) * steps[l].shape[1])
        return codes ? .codes(start.assumingMemoryBound(to: UInt8.self)) : .membranes(start.assumingMemoryBound(to: Float.self))
    }

    func recordDensity(_ density: Float, layer l: Int, step t: Int) { densities[l][t - 1] = density }

    /// The spike density of layer l at step t.
    func density(layer l: Int, step t: Int) -> Float { densities[l][t - 1] }

    /// s_l[t] = H(m_l[t] − V_th).
    func spikes(layer l: Int, step t: Int, into s: Tensor) {
        let record = record(layer: l, step: t), target = s.pointer, threshold = threshold
        Parallel.forEachChunk(s.count, minimumChunk: SpikingPopulation.elementsPerWorker) { range in
            switch record {
            case let .membranes(m):
                VectorKernels.heaviside(target + range.lowerBound, m + range.lowerBound, range.count, threshold: threshold)
            case let .codes(codes):
                for i in range { target[i] = codes[i] & StepCodes.spike != 0 ? 1 : 0 }
            }
        }
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

    private static func slice(_ stored: Tensor, step t: Int) throws -> Tensor {
        try stored.batch(t - 1..<t).reshaped(Array(stored.shape.dropFirst()))
    }
}

/// A step's recorder, by kind.
enum RecordingTarget {
    case membranes(MembraneRecording)
    case codes(CodeRecording)
}
