import Foundation
import Layers
import Tensor

/// Layer 1's input for one batch (spec §2.4, §6.2) and what the phases after the simulation read
/// of it: F₁'s pre-activation, the current I[t] the population integrates, x̄ and BN₁'s saved
/// state. Part of a `Simulation`: its buffers are sized for one batch shape and refilled by
/// `load(_:phase:updatingRunningStatistics:)` for each batch of that shape.
///
/// * Static images: z = F₁ x and I = m₁ ⊙ BN₁(z), computed once per batch; BN uses batch
///   statistics in training (saving x̂ for the backward passes, updating the running statistics
///   only when asked) and running statistics in evaluation.
/// * Spike frames: I[t] = m₁ ⊙ BN₁(F₁ x[t]) per step (`load(step:)`). In training BN uses fixed
///   statistics of z = F₁ x̄ (mean, √(unbiased var + 1e-8)); in evaluation running statistics.
///   x̄ is the plain mean (IF) or the λ-weighted mean Σ λ^{T−t} x[t]/Λ_T (LIF).
final class InputCurrent {
    private let block: SynapticBlock
    private let neuron: NeuronModel
    private let timeSteps: Int
    /// Quirk B2 (a): the reference overwrites the last frame with x̄ before simulating.
    private let replacesLastFrame: Bool
    /// The batch loaded last, canonical for the network (`FeedbackNetwork.canonical`).
    private(set) var batch: NetworkInput
    /// z = F₁ x (static images) or F₁ x̄ (spike frames), [B] + layer 1's shape.
    let preactivation: Tensor
    /// I (static images) or I[t] of the step loaded last (spike frames), [B] + layer 1's shape.
    let current: Tensor
    /// BN₁'s state of the training forward of static images, for the VJPs through I.
    let saved: BatchNorm.Saved
    /// Spike frames only: x̄, the frame x[t] of the step loaded last and F₁ x[t] ([B] + frame
    /// shape, and [B] + layer 1's shape).
    let averageInput: Tensor?
    let frame: Tensor?
    let stepPreactivation: Tensor?
    /// The fixed statistics of training with spike frames.
    private(set) var fixedStatistics: BatchNorm.Statistics?
    private var mode: BatchNorm.Mode = .evaluation
    /// The density of the frame `loadFrame` loaded last.
    private(set) var frameDensity: Float = 0

    /// Buffers for batches of `batch`'s shape (canonical for `network`), not yet loaded.
    init(network: FeedbackNetwork, batch: NetworkInput) {
        block = network.input
        neuron = network.neuron
        timeSteps = network.timeSteps
        replacesLastFrame = network.aliasedAverageFactor != 1
        self.batch = batch
        let shape = [batch.batchSize] + network.input.outputSampleShape
        preactivation = Tensor(zeros: shape)
        current = Tensor(zeros: shape)
        saved = BatchNorm.Saved(channels: shape[1])
        let frameShape = batch.frameShape.map { [batch.batchSize] + $0 }
        averageInput = frameShape.map { Tensor(zeros: $0) }
        frame = frameShape.map { Tensor(zeros: $0) }
        stepPreactivation = frameShape.map { _ in Tensor(zeros: shape) }
    }

    /// Whether `batch` (canonical) has the shape these buffers were made for.
    func fits(_ batch: NetworkInput) -> Bool {
        batch.batchSize == self.batch.batchSize && batch.frameShape == self.batch.frameShape
    }

    /// Makes this the input of `batch` (canonical, of this shape) in `phase`: z and, for static
    /// images, I; for spike frames x̄ and, in training, the fixed statistics (with the running
    /// statistics updated from F₁ x̄ when asked, spec §6.2).
    func load(_ batch: NetworkInput, phase: Phase, updatingRunningStatistics: Bool) throws {
        precondition(fits(batch), "an input current is refilled only with batches of its shape")
        self.batch = batch
        switch batch {
        case let .image(x):
            try block.layer.forward(x, into: preactivation)
            switch phase {
            case .training:
                mode = .training(updatingRunningStatistics: updatingRunningStatistics)
                try block.normalize(preactivation, into: current, mode: mode, saving: saved)
            case .evaluation:
                mode = .evaluation
                try block.normalize(preactivation, into: current, mode: mode)
            }
            fixedStatistics = nil
        case let .spikes(x):
            try Self.timeAverage(of: x, neuron: neuron, into: averageInput!)
            try block.layer.forward(averageInput!, into: preactivation)
            switch phase {
            case .training:
                if updatingRunningStatistics { try block.norm.updateRunningStatistics(from: preactivation) }
                let statistics = try block.norm.fixedStatistics(of: preactivation)
                mode = .fixed(statistics)
                fixedStatistics = statistics
            case .evaluation:
                mode = .evaluation
                fixedStatistics = nil
            }
        }
    }

    /// Recomputes what depends on F₁'s and BN₁'s parameters for the batch loaded in training,
    /// without touching the running statistics: after an optimiser step within the batch (OTTT_O).
    func parametersChanged() throws {
        try load(batch, phase: .training, updatingRunningStatistics: false)
    }

    /// Whether the current changes from step to step (spike input).
    var variesWithTime: Bool { frame != nil }

    /// Makes `current` hold I[t] (t = 1…T); for spike input `stepPreactivation` then holds F₁ x[t].
    func load(step t: Int) throws {
        guard let stepPreactivation else { return }
        try loadFrame(step: t)
        try block.forward(spikes: frame!, density: frameDensity, into: stepPreactivation)
        try block.normalize(stepPreactivation, into: current, mode: mode)
    }

    /// Makes `frame` hold the input frame of step t (spike input only): x[:, t − 1], or x̄ at the
    /// last step under quirk B2 (a); `frameDensity` is its fraction of non-zero entries (2 for the
    /// averaged frame, which is not binary: the dense path).
    func loadFrame(step t: Int) throws {
        guard case let .spikes(x) = batch, let frame else { return }
        if replacesLastFrame && t == timeSteps {
            try frame.assign(averageInput!)
            frameDensity = 2
        } else {
            try Self.gather(frame: t - 1, of: x, into: frame)
            var ones = 0
            for i in 0..<frame.count { ones += frame.pointer[i] != 0 ? 1 : 0 }
            frameDensity = frame.count > 0 ? Float(ones) / Float(frame.count) : 0
        }
    }

    /// frame ← x[:, t] for spike frames x of shape [B, T, frame…].
    static func gather(frame t: Int, of x: Tensor, into frame: Tensor) throws {
        let batch = x.shape[0], steps = x.shape[1], size = frame.count / max(batch, 1)
        guard frame.shape == [batch] + x.shape.dropFirst(2), (0..<steps).contains(t) else {
            throw TensorError.shapeMismatch(operation: "spike frame \(t)", lhs: x.shape, rhs: frame.shape)
        }
        for b in 0..<batch {
            (frame.pointer + b * size).update(from: x.pointer + (b * steps + t) * size, count: size)
        }
    }

    /// x̄ = (1/T) Σ x[t] (IF) or Σ λ^{T−t} x[t] / Λ_T (LIF), spec §3.1.
    static func timeAverage(of x: Tensor, neuron: NeuronModel, into average: Tensor) throws {
        let batch = x.shape[0], steps = x.shape[1], size = average.count / max(batch, 1)
        guard average.shape == [batch] + x.shape.dropFirst(2) else {
            throw TensorError.shapeMismatch(operation: "time average", lhs: x.shape, rhs: average.shape)
        }
        let lambda = neuron.lambda
        let scale = 1 / SpikingPopulation.normaliser(neuron: neuron, steps: steps)
        for b in 0..<batch {
            let target = average.pointer + b * size
            target.update(repeating: 0, count: size)
            for t in 0..<steps {
                VectorKernels.scaleAndAdd(target, lambda, x.pointer + (b * steps + t) * size, size)
            }
            VectorKernels.scale(target, scale, size)
        }
    }
}

extension FeedbackNetwork {
    /// Quirk B2 (LIF, spike input): the reference's aliased in-place average yields
    /// x̄·(1 + Λ_T)(1 + λ^T)/Λ_{T+1} when the last frame is empty (spec §11, §12.8); 1 otherwise.
    var aliasedAverageFactor: Float {
        guard has(.lifInputAverageAlias), neuron != .integrateAndFire else { return 1 }
        let lambda = neuron.lambda
        let normaliser = SpikingPopulation.normaliser(neuron: neuron, steps: timeSteps)
        let next = SpikingPopulation.normaliser(neuron: neuron, steps: timeSteps + 1)
        return (1 + normaliser) * (1 + pow(lambda, Float(timeSteps))) / next
    }
}
