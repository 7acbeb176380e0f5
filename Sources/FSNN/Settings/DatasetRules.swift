import Datasets

/// Which models read which datasets, what follows from a dataset, and which reference quirks
/// (spec §11) can affect a run. The one home of these rules: experiment files, the command line
/// and the training session all use them.
public enum DatasetRules {
    /// Readout classes of a dataset.
    public static func classCount(_ dataset: DatasetName) -> Int { dataset == .cifar100 ? 100 : 10 }

    public static func isCIFAR(_ dataset: DatasetName) -> Bool {
        [.cifar10, .cifar100, .cifar10Subset].contains(dataset)
    }

    /// The paper's augmentation: random crop + flip for CIFAR training, none otherwise (spec §7, §8.2).
    public static func augmentsByDefault(_ dataset: DatasetName) -> Bool { isCIFAR(dataset) }

    /// The dataset the paper trains `model` on (spec §5, §7).
    public static func paperDataset(of model: ModelName) -> DatasetName {
        switch model {
        case .fmnistF400: return .fashionMNIST
        case .mnist64C5sF64C5: return .mnist
        case .nmnist64C5sF64C5P1, .nmnist64C5sF64C5P2: return .nmnist
        case .alexnetF, .cifarnetF: return .cifar10
        }
    }

    /// The dataset to read instead of `dataset` when only it is available offline.
    public static func offlineStandIn(for dataset: DatasetName) -> DatasetName? {
        dataset == .cifar10 ? .cifar10Subset : nil
    }

    /// The models whose input layer fits the dataset's samples.
    public static func models(for dataset: DatasetName) -> [ModelName] {
        switch dataset {
        case .mnist, .fashionMNIST: return [.fmnistF400, .mnist64C5sF64C5]
        case .nmnist: return [.nmnist64C5sF64C5P1, .nmnist64C5sF64C5P2]
        case .cifar10, .cifar100, .cifar10Subset: return [.alexnetF, .cifarnetF]
        }
    }

    /// Single-layer FSNNs (spec §5.1–5.3); AlexNet-F and CIFARNet-F are multi-layer (§5.4–5.5).
    public static func isSingleLayer(_ model: ModelName) -> Bool { ![.alexnetF, .cifarnetF].contains(model) }

    /// Quirks that change only the IDE backward pass (absent from STBP runs by definition).
    public static let ideOnlyQuirks: Set<Quirk> = [.nmnistIterSolver2I, .broydenNegFirstStep, .broydenFullAllocation,
                                                   .adjointLoopBNTrainMode, .adjointLinearizedAtMapOutput]

    /// Nil when `quirk` can affect the run, else why it cannot. A listed quirk that cannot take
    /// effect is an error rather than a warning: a "faithful" row must not silently run corrected.
    public static func inapplicability(of quirk: Quirk, dataset: DatasetName, training t: TrainingConfiguration) -> String? {
        let isLIF = t.neuron != .integrateAndFire
        switch quirk {
        case .inputBNDoubleUpdate:
            return dataset == .nmnist ? "applies to static-input datasets only (MNIST, Fashion-MNIST, CIFAR), not N-MNIST" : nil
        case .lifInputAverageAlias:
            return dataset == .nmnist && isLIF ? nil : "applies to N-MNIST runs with LIF neurons only"
        case .nmnistIterSolver2I:
            return dataset == .nmnist && t.method == .ide ? nil : "applies to IDE runs on N-MNIST only"
        case .singleLIFAllRateMissingAttr:
            return isSingleLayer(t.model) && isLIF ? nil : "applies to single-layer LIF networks only"
        case .nmnistInputConvPad1:
            return t.model == .nmnist64C5sF64C5P1 ? nil
                : "is the padding-1 N-MNIST layout; it goes with model \(ModelName.nmnist64C5sF64C5P1.rawValue) only"
        case .broydenNegFirstStep, .broydenFullAllocation:
            return t.method == .ide && t.solver == .broyden && !t.has(.nmnistIterSolver2I) ? nil
                : "applies to IDE runs with the broyden solver only"
        case .adjointLoopBNTrainMode:
            return !isSingleLayer(t.model) && t.method == .ide ? nil
                : "applies to IDE runs of the multi-layer networks only (single-layer networks have no loop BN)"
        case .adjointLinearizedAtMapOutput:
            return !isSingleLayer(t.model) && t.method == .ide ? nil
                : "applies to IDE runs of the multi-layer networks only (the released single-layer module linearises at a)"
        case .spectralReshapedKernelNorm:
            return t.model == .fmnistF400
                ? "has no effect on \(t.model.rawValue): a linear feedback weight's matrix is its operator" : nil
        case .rateStatsDiv5, .resumeResetsLRSchedule, .evalPowerIterationUpdate:
            return nil
        }
    }
}

extension DatasetRules {
    /// What keeps `training` from running on `dataset` as asked, each problem under the key of
    /// the setting it is reported at: the model must read the dataset, the readout must have the
    /// dataset's classes, every listed quirk must be able to take effect, and the padding-1
    /// N-MNIST layout must say that it is the reference's (quirk B6).
    public static func problems(dataset: DatasetName, training: TrainingConfiguration) -> [(key: String, message: String)] {
        var problems: [(key: String, message: String)] = []
        let model = training.model
        if !models(for: dataset).contains(model) {
            problems.append(("model", "model '\(model.rawValue)' does not read \(dataset.rawValue); use one of "
                + models(for: dataset).map(\.rawValue).joined(separator: ", ")))
        }
        if training.classCount != classCount(dataset) {
            problems.append(("classes", "\(dataset.rawValue) has \(classCount(dataset)) classes, not \(training.classCount)"))
        }
        for quirk in Quirk.allCases where training.has(quirk) {
            if let reason = inapplicability(of: quirk, dataset: dataset, training: training) {
                problems.append(("quirks", "quirk '\(quirk.rawValue)' \(reason)"))
            }
        }
        if model == .nmnist64C5sF64C5P1, !training.has(.nmnistInputConvPad1) {
            problems.append(("model", "'\(model.rawValue)' is the reference code's padding-1 layout (B6): list quirk "
                + "'\(Quirk.nmnistInputConvPad1.rawValue)' to say so, or use '\(ModelName.nmnist64C5sF64C5P2.rawValue)'"))
        }
        return problems
    }
}
