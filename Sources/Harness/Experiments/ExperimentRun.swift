import Datasets
import FSNN
import HDF5

/// One row of an experiment file resolved for one profile: everything the runner needs to train
/// and evaluate it once per seed. Built only by `Experiment`, so every value has been validated.
public struct ExperimentRun: Equatable, Sendable {
    public var table: String
    public var row: String
    public var label: String
    public var profile: Profile
    public var kind: ReportKind

    public var dataset: DatasetName
    /// Used instead of `dataset` when that is not found under the data root.
    public var datasetFallback: DatasetName?
    public var dataNote: String?
    public var augmentation: Bool
    /// First N samples of the training / test split; nil = all.
    public var trainSubset: Int?
    public var testSubset: Int?
    /// Batches per epoch of training / evaluation; nil = the whole split.
    public var trainBatches: Int?
    public var testBatches: Int?

    public var training: TrainingConfiguration
    public var seeds: [Int]
    /// Residual traces to record, if the file asks.
    public var convergence: ConvergenceRecording?

    public var paper: PaperResult?
    /// For an STBP row, the IDE row it mirrors.
    public var twin: String?

    /// `<root>/<table>/<row>/seed-<k>.h5`: the run's metrics (small, committed).
    public func resultPath(in root: String, seed: Int) -> String {
        "\(root)/\(table)/\(row)/seed-\(seed).h5"
    }

    /// `<root>/<table>/<row>/seed-<k>.checkpoint.h5`: weights and training state (large, under
    /// the git-ignored `runs/`).
    public func checkpointPath(in root: String, seed: Int) -> String {
        "\(root)/\(table)/\(row)/seed-\(seed).checkpoint.h5"
    }

    /// The resolved settings as `/config` attributes, named by their YAML keys; optional
    /// settings that are unset are left out, IF neurons have `lambda` 1.
    public var settingAttributes: [(name: String, value: HDF5AttributeValue)] {
        let t = training
        var attributes: [(String, HDF5AttributeValue)] = [("dataset", .string(dataset.rawValue))]
        if let datasetFallback { attributes.append(("dataset_fallback", .string(datasetFallback.rawValue))) }
        if let dataNote { attributes.append(("data_note", .string(dataNote))) }
        attributes.append(("augmentation", augmentation.hdf5AttributeValue))
        for (name, value) in [("train_subset", trainSubset), ("test_subset", testSubset),
                              ("train_batches", trainBatches), ("test_batches", testBatches)] {
            if let value { attributes.append((name, .integer(Int64(value)))) }
        }
        attributes += [
            ("model", .string(t.model.rawValue)),
            ("classes", .integer(Int64(t.classCount))),
            ("neuron", .string(t.neuron == .integrateAndFire ? NeuronType.integrateAndFire.rawValue : NeuronType.leaky.rawValue)),
            ("lambda", .double(decimal(t.neuron.lambda))),
            ("time_steps", .integer(Int64(t.timeSteps))),
            ("threshold", .double(decimal(t.threshold))),
            ("dropout", .double(decimal(t.dropout))),
            ("method", .string(t.method.rawValue)),
            ("solver", .string(t.solver.rawValue)),
            ("solver_max_iterations", .integer(Int64(t.solverMaxIterations))),
            ("anderson_memory", .integer(Int64(t.andersonMemory))),
            ("surrogate", .string(t.surrogate.rawValue)),
            ("surrogate_parameter", .double(decimal(t.surrogateParameter))),
            ("detach_reset", t.detachReset.hdf5AttributeValue),
            ("quirks", .strings(Quirk.allCases.filter(t.quirks.contains).map(\.rawValue))),
            ("optimizer", .string(t.optimizer.rawValue)),
            ("learning_rate", .double(decimal(t.learningRate))),
            ("momentum", .double(decimal(t.momentum))),
            ("weight_decay", .double(decimal(t.weightDecay))),
            ("milestones", .integers(t.milestones.map(Int64.init))),
            ("gamma", .double(decimal(t.gamma))),
            ("warmup_iterations", .integer(Int64(t.warmupIterations))),
            ("epochs", .integer(Int64(t.epochs))),
            ("batch_size", .integer(Int64(t.batchSize))),
            ("test_batch_size", .integer(Int64(t.testBatchSize))),
            ("seeds", .integers(seeds.map(Int64.init))),
        ]
        if let convergence {
            attributes.append(("convergence_steps", .integer(Int64(convergence.steps))))
            attributes.append(("convergence_batches", .integer(Int64(convergence.batches))))
        }
        return attributes
    }
}

/// Residual traces to record: t = 1…steps, averaged over `batches` test batches.
public struct ConvergenceRecording: Equatable, Sendable {
    public var steps: Int
    public var batches: Int
}

/// A `Float` setting as the decimal it was written as (0.95, not 0.949999988), for attributes.
func decimal(_ value: Float) -> Double { Double(value.description) ?? Double(value) }
