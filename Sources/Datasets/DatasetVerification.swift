/// What `fsnn data verify` found for one dataset.
public struct DatasetVerification: Sendable {
    public enum Status: String, CaseIterable, Sendable {
        /// Present, readable, valid, and every published checksum matches.
        case found
        /// None of its files are under the data root (not an error).
        case missing
        /// Present but incomplete, unreadable, invalid, or with a checksum that does not match.
        case wrong
    }

    /// One file's checksum and the published value it is compared with, if any.
    public struct FileCheck: Sendable {
        public let checksum: DataFileChecksum
        public let publishedMD5: String?
        public var matches: Bool? { publishedMD5.map { $0 == checksum.md5 } }
    }

    public let name: DatasetName
    public let status: Status
    /// Train and test splits, when the dataset loaded.
    public let splits: [any DatasetSplit]
    public let files: [FileCheck]
    /// Why the dataset is missing or wrong.
    public let problems: [String]
}
