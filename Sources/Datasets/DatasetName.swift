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
