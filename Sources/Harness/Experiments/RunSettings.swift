import Datasets
import FSNN

/// The settings of a run that are not training hyperparameters: the data it reads and how much
/// of it, its seeds, and what it records besides the metrics. Declared once each in `data` and
/// `records` (like `TrainingSettings.all`), from which files, validation and `/config` derive.
public struct RunSettings: Equatable, Sendable {
    public var dataset: DatasetName = .mnist
    /// Read instead of `dataset` when that is not found under the data root.
    public var datasetFallback: DatasetName?
    public var dataNote: String?
    /// Random crop 32 pad 4 + horizontal flip of training images; the paper's default follows
    /// the dataset (on for CIFAR, spec §7, §8.2).
    public var augmentation = false
    /// N samples of the training / test split, a seeded class-stratified selection; nil = all.
    public var trainSubset: Int?
    public var testSubset: Int?
    /// Batches per epoch of training / evaluation; nil = the whole split.
    public var trainBatches: Int?
    public var testBatches: Int?
    public var seeds: [Int] = [0]
    /// Residual traces to record (both set, or neither, once resolved).
    public var convergenceSteps: Int?
    public var convergenceBatches: Int?

    public init() {}

    public typealias Entry = any SettingDeclaration<RunSettings>

    static let sampleReason = "more than any dataset here has (60,000 training samples)"

    /// Which data a run reads; recorded before the training settings.
    public static let data: [Entry] = [
        Setting(\.dataset, key: "dataset", noun: "the dataset",
                meaning: "`mnist`, `fashion-mnist`, `nmnist`, `cifar10`, `cifar100`, `cifar10-subset`", required: .always),
        Setting(\.datasetFallback, key: "dataset_fallback", noun: "the fallback dataset",
                meaning: "dataset to read when `dataset` is not found (e.g. `cifar10-subset`); same classes, fits the model"),
        Setting(\.dataNote, key: "data_note", noun: "the data note", meaning: "shown in the report next to the row"),
        Setting(\.augmentation, key: "augmentation", noun: "augmentation",
                meaning: "random crop 32 pad 4 + horizontal flip of training images; default: on for CIFAR (spec §8.2)",
                appliesTo: SettingCondition(
                    "CIFAR only", reads: "dataset",
                    kind: .request("augmentation (random crop + flip) is defined for CIFAR only")) {
                        !$0.augmentation || DatasetRules.isCIFAR($0.dataset)
                    },
                datasetDefault: DatasetRules.augmentsByDefault),
        Setting(\.trainSubset, key: "train_subset", noun: "the training subset",
                meaning: "N training samples, a class-stratified selection drawn by the seed",
                bounds: .integers(1...1_000_000, because: sampleReason)),
        Setting(\.testSubset, key: "test_subset", noun: "the test subset",
                meaning: "N test samples, a class-stratified selection drawn by the seed",
                bounds: .integers(1...1_000_000, because: sampleReason)),
        Setting(\.trainBatches, key: "train_batches", noun: "training batches per epoch",
                meaning: "stop each epoch's training after N batches",
                bounds: .integers(1...1_000_000, because: sampleReason)),
        Setting(\.testBatches, key: "test_batches", noun: "test batches",
                meaning: "evaluate on at most N batches of the class-stratified test order",
                bounds: .integers(1...1_000_000, because: sampleReason)),
    ]

    /// Seeds and records; recorded after the training settings.
    public static let records: [Entry] = [
        Setting(\.seeds, key: "seeds", noun: "seeds", meaning: "one run per seed",
                bounds: .integers(0...2_147_483_647, because: "seeds name result files; 31 bits are plenty"),
                list: ListRule(element: "seed", emptyMessage: "at least one seed is needed", distinct: true,
                               maximumCount: (1000, "each seed is a whole training run")),
                required: .always),
        Setting(\.convergenceSteps, key: "convergence.steps", attribute: "convergence_steps", noun: "trace steps",
                meaning: "record residual traces of this many steps before and after training (default: T)",
                bounds: .integers(1...10_000, because: "a trace simulates every test batch for this many steps")),
        Setting(\.convergenceBatches, key: "convergence.batches", attribute: "convergence_batches", noun: "trace batches",
                meaning: "test batches a residual trace averages (default 1)",
                bounds: .integers(1...1000, because: "each batch is a full simulation of the trace's steps")),
    ]

    /// Residual traces to record, if the run asks.
    public var convergence: ConvergenceRecording? {
        guard let convergenceSteps, let convergenceBatches else { return nil }
        return ConvergenceRecording(steps: convergenceSteps, batches: convergenceBatches)
    }

    /// The subsets and batch caps, as the training session applies them.
    public var dataLimits: DataLimits {
        DataLimits(trainSubset: trainSubset.map { .stratified($0) } ?? .all,
                   testSubset: testSubset.map { .stratified($0) } ?? .all,
                   trainBatches: trainBatches, testBatches: testBatches)
    }
}

/// Residual traces to record: t = 1…steps, averaged over `batches` test batches.
public struct ConvergenceRecording: Equatable, Sendable {
    public var steps: Int
    public var batches: Int
}
