import Datasets

/// Which samples a run uses: subsets and batch caps for the quick and smoke profiles.
public struct DataLimits: Codable, Equatable, Sendable {
    public var trainSubset: SubsetRule = .all
    public var testSubset: SubsetRule = .all
    /// Stop an epoch after this many training batches.
    public var trainBatches: Int?
    /// Evaluate on at most this many test batches.
    public var testBatches: Int?

    public init(trainSubset: SubsetRule = .all, testSubset: SubsetRule = .all, trainBatches: Int? = nil,
                testBatches: Int? = nil) {
        self.trainSubset = trainSubset
        self.testSubset = testSubset
        self.trainBatches = trainBatches
        self.testBatches = testBatches
    }
}
