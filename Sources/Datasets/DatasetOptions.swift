/// Settings that change what a dataset's splits produce.
public struct DatasetOptions: Equatable, Sendable {
    /// N-MNIST frame encoding (spec §8.4); the reference `tsslbp`, T = 30 by default.
    public var nmnistEncoding: NMNISTEncoding
    /// Whether the CIFAR train splits apply random crop + flip (spec §8.2). Test splits never do.
    public var augmentsTraining: Bool

    public init(nmnistEncoding: NMNISTEncoding = .reference, augmentsTraining: Bool = true) {
        self.nmnistEncoding = nmnistEncoding
        self.augmentsTraining = augmentsTraining
    }
}
