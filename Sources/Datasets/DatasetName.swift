/// The datasets fsnn reads, by the names experiment files and the command line use.
public enum DatasetName: String, CaseIterable, Codable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"
    case nmnist
    case cifar10
    case cifar100
    /// The 4,000-image CIFAR-10 training subset available offline, split into train/test.
    case cifar10Subset = "cifar10-subset"
}

extension DatasetName {
    /// The published training and test split sizes, which a run on the whole dataset reads; nil
    /// for the offline subset, which is a part of CIFAR-10's training split by construction.
    public var publishedSplitSizes: (train: Int, test: Int)? {
        switch self {
        case .mnist, .fashionMNIST, .nmnist: return (60_000, 10_000)
        case .cifar10, .cifar100: return (50_000, 10_000)
        case .cifar10Subset: return nil
        }
    }

    /// The training samples a run on the whole dataset reads: the published training split, and
    /// for the offline subset the training part of its 4,000-image file (docs/datasets.md) once
    /// every 8th image of each class is held out as its test set (`DatasetCatalog.subsetTestMask`).
    public var trainingSampleCount: Int { publishedSplitSizes?.train ?? 3_505 }
}
