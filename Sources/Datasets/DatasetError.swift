import Tensor

/// Errors raised while locating, reading and validating dataset files. Every case names the file
/// or folder, and where the problem is inside a file, the byte offset (of the decompressed content
/// for gzip files, of the stored bytes for the compressed stream itself).
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// None of the dataset's files are under the data root.
    case missingDataset(DatasetName, searched: [String], howToObtain: String)
    /// Some of the dataset's files are present, these are not.
    case incompleteDataset(DatasetName, missing: [String], howToObtain: String)
    /// A file or folder cannot be opened or read.
    case unreadable(path: String, reason: String)
    /// The content ends at `offset` although `needed` more bytes are required for `what`.
    case truncated(file: String, offset: Int, needed: Int, what: String)
    /// `count` bytes follow the content the header declares, starting at `offset`.
    case trailingBytes(file: String, offset: Int, count: Int)
    /// An IDX file whose first four bytes are not 0, 0, type, rank.
    case badMagic(file: String, found: [UInt8])
    /// An IDX element type other than 0x08 (unsigned byte), at byte 2.
    case unsupportedElementType(file: String, code: UInt8)
    /// An IDX rank (byte 3) other than the one the file's role requires.
    case wrongRank(file: String, found: Int, expected: Int)
    /// Extents that are zero, overflow, or differ from the format's (e.g. 28×28 images).
    case invalidDimensions(file: String, offset: Int, dimensions: [Int], reason: String)
    /// An image file and its label file hold different numbers of samples.
    case countMismatch(images: String, labels: String, imageCount: Int, labelCount: Int)
    /// A label byte outside 0..<classCount.
    case labelOutOfRange(file: String, offset: Int, label: Int, classCount: Int)
    /// zlib rejected the compressed stream at stored byte `offset`.
    case corruptCompressedStream(file: String, offset: Int, reason: String)
    /// The compressed stream ends (at stored byte `offset`) before its end marker.
    case truncatedCompressedStream(file: String, offset: Int)
    /// The content is larger than it may be: `size` bytes (`measured`: "stored", "declared by its
    /// header", "decompressed before inflation stopped") against `limit` bytes (`limitedBy`:
    /// "declared by its header", "(the most an IDX file may hold)").
    case oversized(file: String, size: Int, measured: String, limit: Int, limitedBy: String)
    /// A file or folder that must hold data is empty.
    case empty(path: String, what: String)
    /// An N-MNIST event whose sensor address lies outside 34×34.
    case eventOutOfRange(file: String, offset: Int, x: Int, y: Int)
    /// An N-MNIST event whose timestamp is smaller than the previous event's.
    case timestampDecreasing(file: String, offset: Int, previous: Int, current: Int)
    /// A folder entry that does not belong to the dataset's layout, or one the layout requires
    /// that is absent.
    case layoutViolation(path: String, reason: String)
    /// A frame-encoding or subset setting that cannot be used.
    case invalidSetting(String)
    /// Reading stopped before `path` because the caller's interruption check asked (SIGINT or
    /// SIGTERM while a run loads or checksums its data).
    case interrupted(path: String)

    public var description: String {
        switch self {
        case let .missingDataset(name, searched, howToObtain):
            return "dataset \(name.rawValue) not found; looked for:\n"
                + searched.map { "  \($0)\n" }.joined() + howToObtain
        case let .incompleteDataset(name, missing, howToObtain):
            return "dataset \(name.rawValue) is incomplete; missing:\n"
                + missing.map { "  \($0)\n" }.joined() + howToObtain
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .truncated(file, offset, needed, what):
            return "\(file): byte \(offset): truncated: \(what) needs \(needed) more byte(s), but the content ends here"
        case let .trailingBytes(file, offset, count):
            return "\(file): byte \(offset): \(count) byte(s) after the declared content"
        case let .badMagic(file, found):
            let hex = found.map { String($0, radix: 16, uppercase: false) }.joined(separator: " ")
            return "\(file): byte 0: not an IDX file (magic bytes \(hex); expected 0 0 <type> <rank>)"
        case let .unsupportedElementType(file, code):
            return "\(file): byte 2: IDX element type 0x\(String(code, radix: 16)) is not 0x8 (unsigned byte)"
        case let .wrongRank(file, found, expected):
            return "\(file): byte 3: IDX rank \(found), expected \(expected)"
        case let .invalidDimensions(file, offset, dimensions, reason):
            return "\(file): byte \(offset): dimensions \(Tensor.describe(dimensions)): \(reason)"
        case let .countMismatch(images, labels, imageCount, labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels"
        case let .labelOutOfRange(file, offset, label, classCount):
            return "\(file): byte \(offset): label \(label) outside 0..<\(classCount)"
        case let .corruptCompressedStream(file, offset, reason):
            return "\(file): compressed byte \(offset): corrupt gzip stream: \(reason)"
        case let .truncatedCompressedStream(file, offset):
            return "\(file): compressed byte \(offset): gzip stream ends before its end marker (truncated file)"
        case let .oversized(file, size, measured, limit, limitedBy):
            return "\(file): \(size) bytes \(measured), more than \(limit) bytes \(limitedBy)"
        case let .empty(path, what):
            return "\(path): empty: \(what)"
        case let .eventOutOfRange(file, offset, x, y):
            return "\(file): byte \(offset): event at (x \(x), y \(y)) outside the 34×34 sensor"
        case let .timestampDecreasing(file, offset, previous, current):
            return "\(file): byte \(offset): timestamp \(current) µs is before the previous event's \(previous) µs"
        case let .layoutViolation(path, reason):
            return "\(path): \(reason)"
        case let .invalidSetting(reason):
            return "invalid dataset setting: \(reason)"
        case let .interrupted(path):
            return "\(path): reading stopped by an interrupt"
        }
    }

    /// Throws `interrupted` naming `path`, the file about to be read, when `interruptionCheck`
    /// asks to stop.
    static func checkInterruption(_ interruptionCheck: (() -> Bool)?, before path: String) throws(DatasetError) {
        if let interruptionCheck, interruptionCheck() { throw .interrupted(path: path) }
    }
}
