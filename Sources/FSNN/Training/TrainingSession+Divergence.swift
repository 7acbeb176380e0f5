import Foundation
import Layers

/// Divergence as a user would call it (issue 11): besides a non-finite loss, gradient or weight
/// (which `Trainer` stops on), a training loss that stays far above what a network that knows
/// nothing scores, or weights grown until their spectral norm is no longer a Float32 number.
///
/// The early value the loss is compared with is ln C, the cross-entropy of a classifier that
/// guesses uniformly among C classes: an untrained network starts near it and a healthy run
/// only goes down from there. A run whose batch loss exceeds `factor` × ln C for
/// `patience` consecutive batches of one epoch (or for every batch of an epoch shorter than
/// that) has diverged. Counting restarts with each epoch, so the rule is a function of the
/// epoch's losses alone, and a resumed run stops exactly where the straight run would.
struct DivergenceWatch {
    /// Consecutive batches above the limit that make a divergence.
    static let patience = 10
    /// The factor when `divergence_factor` is unset.
    static let defaultFactor: Float = 10

    let factor: Float
    /// factor × ln C.
    let limit: Float
    let required: Int
    /// Every batch loss of the epoch so far, in order.
    private(set) var losses: [Float] = []
    /// The largest gradient norm of the epoch so far.
    private(set) var largestGradientNorm = 0.0
    private var consecutive = 0

    init(configuration: TrainingConfiguration, batchesPerEpoch: Int) {
        factor = configuration.divergenceFactor ?? Self.defaultFactor
        limit = factor * Float(log(Double(configuration.classCount)))
        required = max(1, min(Self.patience, batchesPerEpoch))
    }

    /// Records the loss and gradient norm of the next batch; true when the run has now diverged.
    mutating func observe(_ loss: Float, gradientNorm: Double = 0) -> Bool {
        losses.append(loss)
        largestGradientNorm = max(largestGradientNorm, gradientNorm)
        consecutive = loss > limit ? consecutive + 1 : 0
        return consecutive >= required
    }

    /// Why the run diverged, with the rule and the epoch's loss history.
    var lossReason: String {
        "the training loss exceeded \(Self.show(limit)) (divergence_factor \(Self.show(factor)) × ln C, the loss of "
            + "guessing) for \(required) consecutive batches; \(history)"
    }

    /// The epoch's batch losses, "loss history of the epoch: 2.30, 2.21, …, 36898, 58127"
    /// (the first three and the last ten when there are more).
    var history: String {
        let shown = losses.count <= 13
            ? losses.map(Self.show)
            : losses.prefix(3).map(Self.show) + ["…"] + losses.suffix(10).map(Self.show)
        return "loss history of the epoch (\(losses.count) batches): " + shown.joined(separator: ", ")
    }

    private static func show(_ value: Float) -> String {
        abs(value) >= 1e5 || (value != 0 && abs(value) < 1e-3) ? String(format: "%.3g", Double(value))
            : String(format: abs(value) >= 100 ? "%.0f" : "%.3g", Double(value))
    }
}

extension TrainingSession {
    /// The divergence a training step's error stands for, or nil for an error of another kind:
    /// a non-finite value, or a spectral norm the optimiser's steps made degenerate (at
    /// learning rate 1e30 the weights stay finite but their squared norm does not; an exploding
    /// gradient does it at any rate). `batch` is where the run stopped (0-based, the epoch's last
    /// for an evaluation), `stepsBefore` the optimiser steps the run had taken by then.
    func divergence(of error: any Error, epoch: Int, batch: Int, stepsBefore: Int, watch: DivergenceWatch) -> DivergedRun? {
        let reason: String
        switch error {
        case let error as NonFiniteError:
            reason = error.description
        case let SpectralNormError.degenerateNorm(sigma, shape) where stepsBefore > 0:
            let (name, magnitude) = largestWeight
            reason = "after the optimiser's steps (learning rate \(trainer.schedule.learningRate)) the spectral norm "
                + "of a weight \(shape) is degenerate (σ̂ = \(sigma)); the largest weight is |\(name)| = \(magnitude)"
                + (magnitude > 1e15 ? ", whose square overflows Float32 in the power iteration" : "")
                + "; the epoch's largest gradient norm ‖∂L/∂θ‖ was \(String(format: "%.3g", watch.largestGradientNorm))"
        default:
            return nil
        }
        return DivergedRun(epoch: epoch, batch: batch, reason: "\(reason); \(watch.history)", losses: watch.losses)
    }

    /// The parameter entry of largest magnitude and its name.
    private var largestWeight: (name: String, magnitude: Float) {
        var largest = (name: "", magnitude: Float(0))
        for (name, parameter) in trainer.network.namedParameters {
            let magnitude = parameter.value.withUnsafeBufferPointer { $0.reduce(0) { max($0, abs($1)) } }
            if magnitude > largest.magnitude { largest = (name, magnitude) }
        }
        return largest
    }
}
