import Datasets
import FSNN
import Foundation
import HDF5
import Tensor

/// `fsnn inspect grads`: one batch through a checkpointed model, forward and backward with its
/// gradient strategy but no optimiser step, written to one HDF5 file with everything another
/// implementation needs to replay the batch and compare the numbers:
///
/// ```
/// /                          @checkpoint @epoch @table @row @seed @method @dropout (0/1) @dataset @split
///                            @training_configuration (JSON, the checkpoint's) @quirks (this batch's)
/// /input                     float32 [B, …sample]    the batch as the network received it
/// /labels, /indices          int64 [B]               labels; sample indices in the split
/// /masks/<name>              float32                 dropout masks used (0 or 1/(1−p)); none without dropout
/// /effective_weights/feedback.weight                 W_eff = clamp(g)·W_raw/σ̂ after this batch's power iteration
/// /rates/output              float32 [B, …output]    a[T] of the output layer
/// /rates/layer_mean          float64 [layers]        spikes / (neurons × T × B) per layer, @layers
/// /logits                    float32 [B, classes]
/// /loss                      float64 scalar          mean cross-entropy of the batch; @correct
/// /solver                    @iterations @relative_residual of the adjoint solve (IDE only)
/// /gradients/<name>          float32                 ∂L/∂θ of every parameter, PyTorch names and layouts
/// /buffers_after/<name>      float32                 BN running statistics and u, v after the batch
/// /clamp_derivatives/map/<layer>, /clamp_derivatives/jacobian/<layer>
///                            float32 [B, …layer]     IDE with `clampDerivatives` only: D_l = 1[0 < p_l < 1] of
///                                                    the training-mode map at a and of the Jacobian's linearisation
/// ```
///
/// The checkpoint holds the weights and the buffers before the batch; the dropout masks come
/// from its stored dropout stream, so they are the masks the run's next batch would have drawn.
public struct GradientInspection {
    public enum Split: String, CaseIterable, Sendable {
        case train
        case test
    }

    public var checkpoint: String
    public var dataRoot: DataRoot
    /// Default: the dataset the checkpoint was trained on.
    public var dataset: DatasetName?
    public var split: Split = .train
    /// Sample indices in the split, in batch order.
    public var indices: [Int]
    /// Default: the checkpoint's.
    public var method: TrainingMethod?
    /// Time steps of the batch. Default: the checkpoint's.
    public var timeSteps: Int?
    /// False: no dropout masks for this batch (p = 0).
    public var dropout = true
    /// The reference-code behaviours to run the batch with (spec §11). Default: the checkpoint's.
    public var quirks: Set<Quirk>?
    /// Also write the clamp derivatives of the IDE map and of its Jacobian (spec §4.6).
    public var clampDerivatives = false

    public init(checkpoint: String, dataRoot: DataRoot, indices: [Int]) {
        self.checkpoint = checkpoint
        self.dataRoot = dataRoot
        self.indices = indices
    }

    /// What the batch gave, for printing.
    public struct Summary: Sendable {
        public var loss: Float
        public var correct: Int
        public var batchSize: Int
        public var method: TrainingMethod
        public var solver: SolverStatistics?
        /// Every parameter's name, shape and gradient 2-norm, in model order.
        public var gradientNorms: [(name: String, shape: [Int], norm: Float)]

        /// Loss, solver statistics and a Markdown table of the gradient norms.
        public var text: String {
            var lines = [String(format: "%@ batch of %d: loss %.6f, %d correct", method.rawValue.uppercased(), batchSize,
                                loss, correct)]
            if let solver {
                lines.append(String(format: "adjoint solve: %d iterations, relative residual %.3e", solver.iterations,
                                    solver.relativeResidual))
            }
            lines.append("| parameter | shape | ‖∂L/∂θ‖ |\n|---|---|--:|")
            for (name, shape, norm) in gradientNorms {
                lines.append(String(format: "| %@ | %@ | %.6e |", name, shape.map(String.init).joined(separator: "×"), norm))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Runs the batch and writes `output` (atomically).
    public func write(to output: String) throws -> Summary {
        guard !indices.isEmpty else { throw InspectionError.emptyBatch }
        let model = try CheckpointedModel(checkpoint, dataRoot: dataRoot, dataset: dataset) { configuration in
            if let method { configuration.method = method }
            if let timeSteps { configuration.timeSteps = timeSteps }
            if !dropout { configuration.dropout = 0 }
            if let quirks { configuration.quirks = quirks }
        }
        let session = model.session, trainer = session.trainer, network = trainer.network
        if quirks != nil {
            let problems = DatasetRules.problems(dataset: session.dataset.name, training: session.configuration)
            guard problems.isEmpty else { throw InspectionError.inapplicableQuirks(problems.map(\.message)) }
        }
        let data = split == .train ? session.dataset.train : session.dataset.test
        let (inputs, labels) = try Self.samples(indices, of: data)
        let pass = try trainer.computeGradients(session.networkInput(inputs), labels: labels)

        try OutputFile.writeHDF5(to: output) { file in
            let configuration = session.configuration
            let attributes: [(String, HDF5AttributeValue)] = [
                ("checkpoint", .string(checkpoint)), ("epoch", .integer(Int64(model.progress.epoch))),
                ("table", .string(model.identity.table)), ("row", .string(model.identity.row)),
                ("seed", .integer(Int64(model.identity.seed))), ("method", .string(configuration.method.rawValue)),
                ("dropout", dropout.hdf5AttributeValue), ("dataset", .string(session.dataset.name.rawValue)),
                ("split", .string(split.rawValue)), ("time_steps", .integer(Int64(configuration.timeSteps))),
            ]
            for (name, value) in attributes { try file.setAttribute(name, value) }
            if let json = try model.identity.entries().first(where: { $0.name == "training_configuration" }) {
                try file.setAttribute("training_configuration", json.value)
            }
            try file.setAttribute("quirks", Quirk.allCases.filter(configuration.has).map(\.rawValue))
            try file.write(inputs, to: "/input")
            try file.write(labels, to: "/labels")
            try file.write(indices, to: "/indices")
            try file.createGroup("/masks")
            for (name, layer) in network.namedDropouts {
                if let mask = layer.mask { try file.write(mask, to: "/masks/\(name)") }
            }
            try file.write(network.effectiveFeedbackWeight, to: "/effective_weights/feedback.weight")
            try file.write(try pass.rate.reshaped([labels.count] + network.outputShape), to: "/rates/output")
            try file.write(trainer.meanRates(pass.simulation.spikeCounts, batchSize: labels.count),
                           to: "/rates/layer_mean")
            try file.setAttribute("layers", network.layerNames, on: "/rates/layer_mean")
            try file.write(pass.logits, to: "/logits")
            try file.write(scalar: Double(pass.loss), to: "/loss")
            try file.setAttribute("correct", pass.correct, on: "/loss")
            if let solver = pass.solver {
                try file.createGroup("/solver")
                try file.setAttribute("iterations", solver.iterations, on: "/solver")
                try file.setAttribute("relative_residual", Double(solver.relativeResidual), on: "/solver")
            }
            for (name, parameter) in network.namedParameters {
                try file.write(parameter.gradient, to: "/gradients/\(name)")
            }
            for (name, tensor) in network.namedBuffers { try file.write(tensor, to: "/buffers_after/\(name)") }
            if clampDerivatives, let point = pass.linearization {
                for (group, derivatives) in [("map", point.mapActive), ("jacobian", point.jacobianActive)] {
                    for (layer, active) in zip(network.layerNames, derivatives) {
                        try file.write(active, to: "/clamp_derivatives/\(group)/\(layer)")
                    }
                }
            }
        }
        return Summary(loss: pass.loss, correct: pass.correct, batchSize: labels.count,
                       method: session.configuration.method, solver: pass.solver,
                       gradientNorms: network.namedParameters.map { ($0.name, $0.parameter.shape, $0.parameter.gradient.norm()) })
    }

    /// The samples at `indices` of `split` as one batch and their labels (no augmentation draws).
    static func samples(_ indices: [Int], of split: any DatasetSplit) throws -> (inputs: Tensor, labels: [Int]) {
        let inputs = Tensor(zeros: [indices.count] + split.sampleShape)
        var generator = RandomGenerator(seed: 0)
        for (row, index) in indices.enumerated() {
            guard (0..<split.count).contains(index) else {
                throw InspectionError.indexOutOfRange(index: index, split: split.identifier, count: split.count)
            }
            split.writeSample(index, to: inputs.pointer + row * split.sampleElementCount, using: &generator)
        }
        return (inputs, indices.map { split.labels[$0] })
    }
}

/// A request `fsnn inspect` cannot carry out.
public enum InspectionError: Error, Equatable, CustomStringConvertible {
    case emptyBatch
    case indexOutOfRange(index: Int, split: String, count: Int)
    /// Quirks asked for that cannot take effect on the checkpoint's model (`DatasetRules.problems`).
    case inapplicableQuirks([String])

    public var description: String {
        switch self {
        case .emptyBatch: return "no sample indices given"
        case let .indexOutOfRange(index, split, count):
            return "sample \(index) is outside \(split), which has samples 0–\(count - 1)"
        case let .inapplicableQuirks(messages):
            return messages.joined(separator: "; ")
        }
    }
}
