import Tensor

/// What the backward passes need of every neuron's pre-spike membrane m_l[t] for a number of
/// steps (slots), per spiking layer: the Float m_l[t], or — for the rectangular surrogate, whose
/// derivative is a window — one byte of `StepCodes`. STBP's history keeps T slots, OTTT one.
final class StepRecords {
    let surrogate: SpikeSurrogate
    private let threshold: Float
    private let codes: Bool
    /// [slots, neurons] per layer: Floats, or bytes packed four to a Float (so that the memory
    /// accounting of tensor storage sees them).
    private let storage: [Tensor]

    /// - Parameters:
    ///   - neurons: B × neurons of each layer.
    ///   - keepingMembranes: store the Float m_l[t] even for the rectangular surrogate.
    init(neurons: [Int], slots: Int, surrogate: SpikeSurrogate, threshold: Float, keepingMembranes: Bool) {
        self.surrogate = surrogate
        self.threshold = threshold
        let codes = !keepingMembranes && surrogate.kind == .rectangular
        self.codes = codes
        storage = neurons.map { n in codes ? Tensor.uninitialized([slots, (n + 3) / 4]) : Tensor.uninitialized([slots, n]) }
    }

    private func start(layer l: Int, slot: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(storage[l].pointer + slot * storage[l].shape[1])
    }

    /// Where a population step records layer l's membranes into `slot`.
    func target(layer l: Int, slot: Int) -> RecordingTarget {
        let start = start(layer: l, slot: slot)
        if codes {
            return .codes(CodeRecording(target: start.assumingMemoryBound(to: UInt8.self), threshold: threshold,
                                        halfWidth: surrogate.parameter / 2))
        }
        return .membranes(MembraneRecording(target: start.assumingMemoryBound(to: Float.self)))
    }

    /// Layer l's record in `slot`, for a backward step.
    func record(layer l: Int, slot: Int) -> StepRecord {
        let start = UnsafeRawPointer(start(layer: l, slot: slot))
        return codes ? .codes(start.assumingMemoryBound(to: UInt8.self)) : .membranes(start.assumingMemoryBound(to: Float.self))
    }

    /// Layer l's Floats as [slots, neurons], nil when only codes are kept.
    func membranes(layer l: Int) -> Tensor? { codes ? nil : storage[l] }

    /// s = H(m − V_th) of layer l's record in `slot`.
    func spikes(layer l: Int, slot: Int, into s: Tensor) {
        let record = record(layer: l, slot: slot), target = s.pointer, threshold = threshold
        Parallel.forEachChunk(s.count, minimumChunk: SpikingPopulation.elementsPerWorker) { range in
            switch record {
            case let .membranes(m):
                VectorKernels.heaviside(target + range.lowerBound, m + range.lowerBound, range.count, threshold: threshold)
            case let .codes(codes):
                for i in range { target[i] = codes[i] & StepCodes.spike != 0 ? 1 : 0 }
            }
        }
    }
}
