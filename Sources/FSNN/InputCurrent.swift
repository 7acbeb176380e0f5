import Foundation
import Layers
import Tensor

/// The input current I[t] of layer 1 for one batch (spec §2.4, §6.2), written into layer 1's
/// `current` buffer.
///
/// * Static images: I = m₁ ⊙ BN₁(F₁ x), computed once; BN uses batch statistics in training
///   (updating running statistics only when asked: quirk B1 or STBP; saving its state for STBP's
///   backward) and running statistics in evaluation.
/// * Spike frames: I[t] = m₁ ⊙ BN₁(F₁ x[t]) per step. In training BN uses fixed statistics of the
///   averaged current F₁ x̄ (mean, √(unbiased var + 1e-8)); in evaluation running statistics.
///   x̄ is the plain mean (IF) or the λ-weighted mean Σ λ^{T−t} x[t]/Λ_T (LIF), written into the
///   workspace's `averageInput` and F₁ x̄ into layer 1's `preactivation`, for the map f.
final class InputCurrent {
    private let block: SynapticBlock
    let batch: NetworkInput
    private let workspace: NetworkWorkspace
    private let neuron: NeuronModel
    private let mode: BatchNorm.Mode
    /// Quirk B2 (a): the reference overwrites the last frame with x̄ before simulating.
    private let replacesLastFrame: Bool
    private let timeSteps: Int
    /// The fixed statistics used in training with spike input.
    let fixedStatistics: BatchNorm.Statistics?

    /// - Parameter batch: canonical for `network` (`FeedbackNetwork.canonical`).
    init(network: FeedbackNetwork, batch: NetworkInput, phase: Phase, workspace w: NetworkWorkspace,
         updateRunningStatistics: Bool) throws {
        block = network.input
        self.batch = batch
        workspace = w
        neuron = network.neuron
        timeSteps = network.timeSteps
        replacesLastFrame = network.aliasedAverageFactor != 1
        let layer = w.layers[0]
        switch batch {
        case let .image(x):
            try block.layer.forward(x, into: layer.preactivation)
            switch phase {
            case .training:
                mode = .training(updatingRunningStatistics: updateRunningStatistics)
                try block.normalize(layer.preactivation, into: layer.current, mode: mode, saving: layer.saved)
            case .evaluation:
                mode = .evaluation
                try block.normalize(layer.preactivation, into: layer.current, mode: mode)
            }
            fixedStatistics = nil
        case let .spikes(x):
            try Self.timeAverage(of: x, neuron: neuron, into: w.averageInput)
            try block.layer.forward(w.averageInput, into: layer.preactivation)
            switch phase {
            case .training:
                if updateRunningStatistics {
                    try block.norm.forward(layer.preactivation, into: layer.current,
                                           mode: .training(updatingRunningStatistics: true))
                }
                let statistics = try block.norm.fixedStatistics(of: layer.preactivation)
                mode = .fixed(statistics)
                fixedStatistics = statistics
            case .evaluation:
                mode = .evaluation
                fixedStatistics = nil
            }
            w.currentSum.fill(0)
        }
    }

    /// Whether the current changes from step to step (spike input).
    var variesWithTime: Bool {
        if case .spikes = batch { return true }
        return false
    }

    /// Makes layer 1's `current` hold I[t] (t = 1…T); for spike input the workspace's
    /// `stepPreactivation` then holds F₁ x[t].
    func load(step t: Int) throws {
        guard variesWithTime else { return }
        let w = workspace, current = w.layers[0].current
        try loadFrame(step: t)
        try block.forward(spikes: w.frame, density: frameDensity, into: w.stepPreactivation)
        try block.normalize(w.stepPreactivation, into: current, mode: mode)
        VectorKernels.scaleAndAdd(w.currentSum.pointer, neuron.lambda, current.pointer, current.count)
    }

    /// The current averaged like the rate up to step t, Σ_{τ≤t} λ^{t−τ} I[τ]/Λ_t (I itself for
    /// static input). Uses layer 1's scratch buffer.
    func average(upTo t: Int) throws -> Tensor {
        let layer = workspace.layers[0]
        guard variesWithTime else { return layer.current }
        try layer.scratch.assign(workspace.currentSum)
        layer.scratch.scale(by: 1 / SpikingPopulation.normaliser(neuron: neuron, steps: t))
        return layer.scratch
    }

    /// Makes the workspace's `frame` hold the input frame of step t (spike input only):
    /// x[:, t − 1], or x̄ at the last step under quirk B2 (a); `frameDensity` is its fraction of
    /// non-zero entries (2 for the averaged frame, which is not binary: the dense path).
    func loadFrame(step t: Int) throws {
        guard case let .spikes(x) = batch else { return }
        if replacesLastFrame && t == timeSteps {
            try workspace.frame.assign(workspace.averageInput)
            frameDensity = 2
        } else {
            try Self.gather(frame: t - 1, of: x, into: workspace.frame)
            let frame = workspace.frame
            var ones = 0
            for i in 0..<frame.count { ones += frame.pointer[i] != 0 ? 1 : 0 }
            frameDensity = frame.count > 0 ? Float(ones) / Float(frame.count) : 0
        }
    }

    /// The density of the frame `loadFrame` loaded last.
    private(set) var frameDensity: Float = 0

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
