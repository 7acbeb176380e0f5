/// Images and labels of CIFAR binary files (https://www.cs.toronto.edu/~kriz/cifar.html): fixed
/// records of label byte(s) followed by 3 × 32 × 32 pixel bytes, channel-major (1024 R, 1024 G,
/// 1024 B), rows top to bottom.
public struct CIFARRecords: Sendable {
    public enum Format: Sendable {
        /// `<label 0…9>` + pixels (`data_batch_1..5.bin`, `test_batch.bin`, the 4,000-image subset).
        case cifar10
        /// `<coarse label 0…19><fine label 0…99>` + pixels (`train.bin`, `test.bin`).
        case cifar100

        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        public var classCount: Int { self == .cifar10 ? 10 : 100 }
        public var recordSize: Int { labelBytes + CIFARRecords.imageBytes }
    }

    public static let imageBytes = 3 * 32 * 32

    /// N × 3 × 32 × 32 pixel bytes.
    public private(set) var pixels: [UInt8] = []
    /// CIFAR-10 labels, or CIFAR-100 fine labels.
    public private(set) var labels: [Int] = []
    /// CIFAR-100 coarse (superclass) labels; empty for CIFAR-10.
    public private(set) var coarseLabels: [Int] = []

    public var count: Int { labels.count }

    /// Reads the files in order and concatenates their records, asking `interruptionCheck`
    /// before each file.
    public static func read(
        _ paths: [String], format: Format, interruptionCheck: (() -> Bool)? = nil
    ) throws(DatasetError) -> CIFARRecords {
        var records = CIFARRecords()
        for path in paths {
            try DatasetError.checkInterruption(interruptionCheck, before: path)
            try records.append(FileContents.read(path, limit: .cifar), file: path, format: format)
        }
        return records
    }

    /// Appends the records of one file's content, checking record boundaries and label ranges.
    public mutating func append(_ bytes: [UInt8], file: String, format: Format) throws(DatasetError) {
        let size = format.recordSize
        guard !bytes.isEmpty else { throw .empty(path: file, what: "no CIFAR records") }
        let whole = bytes.count / size
        guard bytes.count == whole * size else {
            throw .truncated(file: file, offset: bytes.count, needed: (whole + 1) * size - bytes.count,
                             what: "record \(whole) (records are \(size) bytes)")
        }
        pixels.reserveCapacity(pixels.count + whole * CIFARRecords.imageBytes)
        for record in 0..<whole {
            let start = record * size
            if format == .cifar100 {
                coarseLabels.append(try Self.label(bytes, at: start, classCount: 20, file: file))
            }
            labels.append(try Self.label(bytes, at: start + format.labelBytes - 1, classCount: format.classCount, file: file))
            pixels.append(contentsOf: bytes[(start + format.labelBytes)..<(start + size)])
        }
    }

    private static func label(_ bytes: [UInt8], at offset: Int, classCount: Int, file: String) throws(DatasetError) -> Int {
        let value = Int(bytes[offset])
        guard value < classCount else {
            throw .labelOutOfRange(file: file, offset: offset, label: value, classCount: classCount)
        }
        return value
    }
}
