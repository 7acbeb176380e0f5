/// A dataset loaded into memory: its two splits and the files they were read from.
public struct Dataset: Sendable {
    public let name: DatasetName
    public let train: any DatasetSplit
    public let test: any DatasetSplit
    /// The files read (for N-MNIST the two split folders), as paths under the data root.
    public let files: [String]
}
