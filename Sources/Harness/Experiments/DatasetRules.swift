import Datasets
import FSNN

/// Which models read which datasets, and which reference quirks (spec §11) can affect a run.
enum DatasetRules {
    /// Readout classes of a dataset.
    static func classCount(_ dataset: DatasetName) -> Int { dataset == .cifar100 ? 100 : 10 }

    static func isCIFAR(_ dataset: DatasetName) -> Bool {
        [.cifar10, .cifar100, .cifar10Subset].contains(dataset)
    }

    /// The models whose input layer fits the dataset's samples.
    static func models(for dataset: DatasetName) -> [ModelName] {
        switch dataset {
        case .mnist, .fashionMNIST: return [.fmnistF400, .mnist64C5sF64C5]
        case .nmnist: return [.nmnist64C5sF64C5P1, .nmnist64C5sF64C5P2]
        case .cifar10, .cifar100, .cifar10Subset: return [.alexnetF, .cifarnetF]
        }
    }

    /// Single-layer FSNNs (spec §5.1–5.3); AlexNet-F and CIFARNet-F are multi-layer (§5.4–5.5).
    static func isSingleLayer(_ model: ModelName) -> Bool { ![.alexnetF, .cifarnetF].contains(model) }

    /// Quirks that change only the IDE backward pass (absent from STBP runs by definition).
    static let ideOnlyQuirks: Set<Quirk> = [.nmnistIterSolver2I, .broydenNegFirstStep, .broydenFullAllocation]

    /// Nil when `quirk` can affect the run, else why it cannot. A listed quirk that cannot take
    /// effect is an error rather than a warning: a "faithful" row must not silently run corrected.
    static func inapplicability(of quirk: Quirk, dataset: DatasetName, training t: TrainingConfiguration) -> String? {
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
        case .broydenNegFirstStep:
            return t.method == .ide && t.solver == .broyden && !t.has(.nmnistIterSolver2I) ? nil
                : "applies to IDE runs with the broyden solver only"
        case .spectralReshapedKernelNorm:
            return t.model == .fmnistF400
                ? "has no effect on \(t.model.rawValue): a linear feedback weight's matrix is its operator" : nil
        case .broydenFullAllocation:
            return t.method == .ide && t.solver == .broyden && !t.has(.nmnistIterSolver2I) ? nil
                : "applies to IDE runs with the broyden solver only"
        case .rateStatsDiv5, .resumeResetsLRSchedule, .evalPowerIterationUpdate:
            return nil
        }
    }
}
