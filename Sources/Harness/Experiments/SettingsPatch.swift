import Datasets
import FSNN

/// Settings as one layer of a file writes them (defaults, a profile, a row, a row's profile):
/// every field optional, absent = inherited. YAML keys are the snake_case names in `CodingKeys`.
/// Hyperparameter meanings and units are those of `TrainingConfiguration` (spec §7).
public struct SettingsPatch: Codable, Equatable, Sendable {
    // Data
    public var dataset: DatasetName?
    /// The dataset to use when `dataset` is not found under the data root (e.g. `cifar10-subset`).
    public var datasetFallback: DatasetName?
    /// Shown in the report next to the row (e.g. which subset is available offline).
    public var dataNote: String?
    /// RandomCrop 32 pad 4 + horizontal flip on training images (CIFAR only, spec §8.2).
    public var augmentation: Bool?
    /// Use the first N samples of the training / test split.
    public var trainSubset: Int?
    public var testSubset: Int?
    /// Stop each epoch's training / evaluation after N batches.
    public var trainBatches: Int?
    public var testBatches: Int?

    // Network
    public var model: ModelName?
    /// Readout classes; must match the dataset (100 for CIFAR-100, else 10).
    public var classes: Int?
    public var neuron: NeuronSpec?
    public var timeSteps: Int?
    public var threshold: Double?
    public var dropout: Double?

    // Gradient
    public var method: TrainingMethod?
    public var solver: SolverKind?
    public var solverMaxIterations: Int?
    public var andersonMemory: Int?
    public var surrogate: SurrogateKind?
    public var surrogateParameter: Double?
    public var detachReset: Bool?
    /// Reference-code behaviours to reproduce (spec §11); the list replaces inherited lists.
    public var quirks: [Quirk]?

    // Optimisation
    public var optimizer: OptimizerKind?
    public var learningRate: Double?
    public var momentum: Double?
    public var weightDecay: Double?
    public var milestones: [Int]?
    public var gamma: Double?
    public var warmupIterations: Int?
    public var epochs: Int?
    public var batchSize: Int?
    public var testBatchSize: Int?

    // Runs and records
    public var seeds: [Int]?
    /// Record residual traces (the convergence figure).
    public var convergence: ConvergencePatch?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case dataset
        case datasetFallback = "dataset_fallback"
        case dataNote = "data_note"
        case augmentation
        case trainSubset = "train_subset"
        case testSubset = "test_subset"
        case trainBatches = "train_batches"
        case testBatches = "test_batches"
        case model, classes, neuron
        case timeSteps = "time_steps"
        case threshold, dropout, method, solver
        case solverMaxIterations = "solver_max_iterations"
        case andersonMemory = "anderson_memory"
        case surrogate
        case surrogateParameter = "surrogate_parameter"
        case detachReset = "detach_reset"
        case quirks, optimizer
        case learningRate = "learning_rate"
        case momentum
        case weightDecay = "weight_decay"
        case milestones, gamma
        case warmupIterations = "warmup_iterations"
        case epochs
        case batchSize = "batch_size"
        case testBatchSize = "test_batch_size"
        case seeds, convergence
    }

    /// This patch with every field that `top` sets taken from `top`; nested neuron and
    /// convergence settings merge field by field.
    public func overlaid(by top: SettingsPatch?) -> SettingsPatch {
        guard let top else { return self }
        var result = self
        func take<Value>(_ field: WritableKeyPath<SettingsPatch, Value?>) {
            if let value = top[keyPath: field] { result[keyPath: field] = value }
        }
        take(\.dataset); take(\.datasetFallback); take(\.dataNote); take(\.augmentation)
        take(\.trainSubset); take(\.testSubset); take(\.trainBatches); take(\.testBatches)
        take(\.model); take(\.classes); take(\.timeSteps); take(\.threshold); take(\.dropout)
        take(\.method); take(\.solver); take(\.solverMaxIterations); take(\.andersonMemory)
        take(\.surrogate); take(\.surrogateParameter); take(\.detachReset); take(\.quirks)
        take(\.optimizer); take(\.learningRate); take(\.momentum); take(\.weightDecay); take(\.milestones)
        take(\.gamma); take(\.warmupIterations); take(\.epochs); take(\.batchSize); take(\.testBatchSize)
        take(\.seeds)
        result.neuron = NeuronSpec(type: top.neuron?.type ?? neuron?.type, lambda: top.neuron?.lambda ?? neuron?.lambda)
            .nonEmpty
        result.convergence = ConvergencePatch(steps: top.convergence?.steps ?? convergence?.steps,
                                              batches: top.convergence?.batches ?? convergence?.batches).nonEmpty
        return result
    }
}

/// `if`, `lif`, or a mapping `{type: lif, lambda: 0.95}`. A `lambda` alone (in defaults) is the
/// leak of LIF rows; IF rows ignore an inherited one.
public struct NeuronSpec: Codable, Equatable, Sendable {
    public var type: NeuronType?
    /// Leak factor λ ∈ (0, 1] (spec §2.2).
    public var lambda: Double?

    public init(type: NeuronType? = nil, lambda: Double? = nil) {
        self.type = type
        self.lambda = lambda
    }

    var nonEmpty: NeuronSpec? { type == nil && lambda == nil ? nil : self }

    private enum CodingKeys: String, CodingKey {
        case type, lambda
    }

    public init(from decoder: Decoder) throws {
        if let container = try? decoder.container(keyedBy: CodingKeys.self) {
            type = try container.decodeIfPresent(NeuronType.self, forKey: .type)
            lambda = try container.decodeIfPresent(Double.self, forKey: .lambda)
        } else {
            type = try decoder.singleValueContainer().decode(NeuronType.self)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(lambda, forKey: .lambda)
    }
}

public enum NeuronType: String, CaseIterable, Codable, Sendable, ExperimentVocabulary {
    case integrateAndFire = "if"
    case leaky = "lif"

    static var vocabularyName: String { "neuron" }
}

/// Residual traces ‖f(a[t]) − a[t]‖ / ‖a[t]‖, t = 1…steps, recorded before and after training.
public struct ConvergencePatch: Codable, Equatable, Sendable {
    /// Simulation steps of the trace (may exceed the training T).
    public var steps: Int?
    /// Test batches averaged.
    public var batches: Int?

    public init(steps: Int? = nil, batches: Int? = nil) {
        self.steps = steps
        self.batches = batches
    }

    var nonEmpty: ConvergencePatch? { steps == nil && batches == nil ? nil : self }
}
