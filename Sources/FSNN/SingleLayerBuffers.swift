import Layers
import Tensor

/// Buffers of one batch shape, allocated once and reused by every step and VJP.
final class Workspace {
    /// The BPTT buffers, created on the first STBP step.
    private(set) lazy var timeReversal = TimeReversal(shape: rate.shape)
    let rate, current, feedback, preactivation, mapCurrent, mapOutput, active, scratch: Tensor
    /// Spike input only: one frame, the averaged input x̄, a step's pre-activation, the averaged current.
    let frame, averageInput, stepPreactivation, currentSum: Tensor?

    init(shape: [Int], frameShape: [Int]?) {
        rate = Tensor(zeros: shape)
        current = Tensor(zeros: shape)
        feedback = Tensor(zeros: shape)
        preactivation = Tensor(zeros: shape)
        mapCurrent = Tensor(zeros: shape)
        mapOutput = Tensor(zeros: shape)
        active = Tensor(zeros: shape)
        scratch = Tensor(zeros: shape)
        frame = frameShape.map { Tensor(zeros: $0) }
        averageInput = frameShape.map { Tensor(zeros: $0) }
        stepPreactivation = frameShape.map { _ in Tensor(zeros: shape) }
        currentSum = frameShape.map { _ in Tensor(zeros: shape) }
    }
}

/// The simulated rate and input at which f was applied, for the parameter VJP.
struct EquilibriumPoint {
    let rate: Tensor
    let averageInput: Tensor
}

/// What STBP keeps per step (spec §10): the pre-spike membranes m[t] (spikes are recomputed as
/// H(m[t] − V_th)) and, for spike input, the BN inputs F x[t]; and the batch's input current,
/// which replays the frames and holds the fixed BN statistics.
final class History {
    let current: InputCurrent
    let surrogate: SpikeSurrogate
    let membranes: Tensor
    let preactivations: Tensor?

    init(current: InputCurrent, surrogate: SpikeSurrogate, steps: Int, shape: [Int]) {
        self.current = current
        self.surrogate = surrogate
        membranes = Tensor(zeros: [steps] + shape)
        preactivations = current.variesWithTime ? Tensor(zeros: [steps] + shape) : nil
    }
}
