import Datasets
import Foundation
import TestSupport
import Testing

/// Bad input: each corruption gives a typed `DatasetError` of the expected case whose message
/// names the file (or folder) and the byte offset — never a crash, a hang, or a short dataset.
@Suite struct CorruptionTests {
    let folder: TemporaryDirectory
    let mnist = IDXContent(count: 5, seed: 41)

    init() throws { folder = try TemporaryDirectory() }

    /// Runs `body`, expects a `DatasetError` accepted by `matches`, whose description names
    /// `path` and, when given, "byte <offset>".
    func expectError(
        naming path: String, offset: Int?, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws(DatasetError) -> Void, matches: (DatasetError) -> Bool
    ) {
        do {
            try body()
            Issue.record("no error for \(path)", sourceLocation: sourceLocation)
        } catch {
            #expect(matches(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(path), "\(error) does not name \(path)", sourceLocation: sourceLocation)
            if let offset {
                #expect(error.description.contains("byte \(offset):"), "\(error) does not name byte \(offset)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    func readIDX(_ bytes: [UInt8], rank: Int = 3, name: String = "images") -> (path: String, read: () throws(DatasetError) -> Void) {
        let path = folder.write(name, bytes)
        return (path, { () throws(DatasetError) in _ = try IDXArray.read(path, rank: rank) })
    }

    // MARK: IDX

    @Test func idxEmptyFile() {
        let (path, read) = readIDX([])
        expectError(naming: path, offset: 0, read) { if case .truncated = $0 { true } else { false } }
    }

    @Test func idxHeaderCutInsideTheExtents() {
        let (path, read) = readIDX(Array(mnist.imageFile.prefix(10)))
        expectError(naming: path, offset: 10, read) { if case .truncated(_, 10, 6, _) = $0 { true } else { false } }
    }

    @Test func idxWrongMagic() {
        var bytes = mnist.imageFile
        bytes[0] = 0x1F
        bytes[1] = 0x8C
        let (path, read) = readIDX(bytes)
        expectError(naming: path, offset: 0, read) { $0 == .badMagic(file: path, found: [0x1F, 0x8C, 0x08, 3]) }
    }

    @Test func idxFloatElements() {
        var bytes = mnist.imageFile
        bytes[2] = 0x0D
        let (path, read) = readIDX(bytes)
        expectError(naming: path, offset: 2, read) { $0 == .unsupportedElementType(file: path, code: 0x0D) }
    }

    @Test func idxLabelsWhereImagesBelong() {
        let (path, read) = readIDX(mnist.labelFile, rank: 3)
        expectError(naming: path, offset: 3, read) { $0 == .wrongRank(file: path, found: 1, expected: 3) }
    }

    @Test func idxPayloadTruncated() {
        let bytes = mnist.imageFile
        let (path, read) = readIDX(Array(bytes.dropLast(100)))
        expectError(naming: path, offset: bytes.count - 100, read) {
            if case .truncated(_, bytes.count - 100, 100, _) = $0 { true } else { false }
        }
    }

    @Test func idxTrailingBytes() {
        let bytes = mnist.imageFile
        let (path, read) = readIDX(bytes + [1, 2, 3])
        expectError(naming: path, offset: bytes.count, read) { $0 == .trailingBytes(file: path, offset: bytes.count, count: 3) }
    }

    @Test func idxZeroExtent() {
        let (path, read) = readIDX(idxFile(dimensions: [0, 28, 28], elements: []))
        expectError(naming: path, offset: 4, read) { if case .invalidDimensions = $0 { true } else { false } }
    }

    @Test func idxExtentsOverflow() {
        let (path, read) = readIDX(idxFile(dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], elements: []))
        expectError(naming: path, offset: 4, read) {
            if case let .invalidDimensions(_, _, _, reason) = $0 { reason.contains("overflow") } else { false }
        }
    }

    /// Counts that disagree with the size: the header claims more images than the file holds.
    @Test func idxCountLargerThanContent() {
        var bytes = mnist.imageFile
        bytes[7] = 6   // 6 images declared, 5 present
        let (path, read) = readIDX(bytes)
        expectError(naming: path, offset: bytes.count, read) {
            if case .truncated(_, bytes.count, 784, _) = $0 { true } else { false }
        }
    }

    /// Dataset-level checks: 28 × 28 images, equal counts, labels 0…9.
    func writeMNIST(images: [UInt8]? = nil, labels: [UInt8]? = nil) -> DataRoot {
        writeIDXDataset(folder, folder: "mnist", train: mnist, test: mnist, compressed: false)
        if let images { folder.write("mnist/train-images-idx3-ubyte", images) }
        if let labels { folder.write("mnist/train-labels-idx1-ubyte", labels) }
        return DataRoot(path: folder.path)
    }

    @Test func mnistImagesOfWrongSize() {
        let root = writeMNIST(images: idxFile(dimensions: [5, 27, 28], elements: testBytes(5 * 27 * 28, seed: 1)))
        expectError(naming: folder.path + "/mnist/train-images-idx3-ubyte", offset: 8, { () throws(DatasetError) in
            _ = try DatasetCatalog.load(.mnist, from: root)
        }) { if case .invalidDimensions = $0 { true } else { false } }
    }

    @Test func mnistImageAndLabelCountsDisagree() {
        let root = writeMNIST(labels: idxFile(dimensions: [4], elements: [1, 2, 3, 4]))
        let images = folder.path + "/mnist/train-images-idx3-ubyte", labels = folder.path + "/mnist/train-labels-idx1-ubyte"
        expectError(naming: labels, offset: nil, { () throws(DatasetError) in _ = try DatasetCatalog.load(.mnist, from: root) }) {
            $0 == .countMismatch(images: images, labels: labels, imageCount: 5, labelCount: 4)
        }
    }

    @Test func mnistLabelOutOfRange() {
        let root = writeMNIST(labels: idxFile(dimensions: [5], elements: [0, 1, 2, 10, 4]))
        let labels = folder.path + "/mnist/train-labels-idx1-ubyte"
        expectError(naming: labels, offset: 11, { () throws(DatasetError) in _ = try DatasetCatalog.load(.mnist, from: root) }) {
            $0 == .labelOutOfRange(file: labels, offset: 11, label: 10, classCount: 10)
        }
    }

    // MARK: gzip

    func readGzip(_ bytes: [UInt8]) -> (path: String, read: () throws(DatasetError) -> Void) {
        let path = folder.write("images.gz", bytes)
        return (path, { () throws(DatasetError) in _ = try IDXArray.read(path, rank: 3) })
    }

    @Test func gzipDeflateDataCorrupted() {
        var bytes = gzip(mnist.imageFile)
        for k in 20..<60 { bytes[k] ^= 0xA5 }
        let (path, read) = readGzip(bytes)
        expectError(naming: path, offset: nil, read) { if case .corruptCompressedStream = $0 { true } else { false } }
    }

    @Test func gzipStreamTruncated() {
        let bytes = gzip(mnist.imageFile)
        let (path, read) = readGzip(Array(bytes.prefix(bytes.count / 2)))
        expectError(naming: path, offset: nil, read) { $0 == .truncatedCompressedStream(file: path, offset: bytes.count / 2) }
        #expect((try? FileContents.read(path)) == nil)
    }

    /// The deflate data is intact but the trailer's CRC-32 is not: zlib's check catches it.
    @Test func gzipChecksumMismatch() {
        var bytes = gzip(mnist.imageFile)
        bytes[bytes.count - 8] ^= 0xFF
        let (path, read) = readGzip(bytes)
        expectError(naming: path, offset: nil, read) {
            if case let .corruptCompressedStream(_, _, reason) = $0 { reason.contains("check") } else { false }
        }
    }

    @Test func gzipTrailingGarbage() {
        let bytes = gzip(mnist.imageFile)
        let (path, read) = readGzip(bytes + [0x00, 0x42, 0x42])
        expectError(naming: path, offset: nil, read) { $0 == .trailingBytes(file: path, offset: bytes.count, count: 3) }
    }

    @Test func gzipHeaderWithUnknownMethod() {
        var bytes = gzip(mnist.imageFile)
        bytes[2] = 7   // compression method: only 8 (deflate) exists
        let (path, read) = readGzip(bytes)
        expectError(naming: path, offset: nil, read) { if case .corruptCompressedStream = $0 { true } else { false } }
    }

    @Test func gzNameWithoutGzipContent() {
        let (path, read) = readGzip(mnist.imageFile)
        expectError(naming: path, offset: nil, read) { if case .corruptCompressedStream(_, 0, _) = $0 { true } else { false } }
    }

    // MARK: CIFAR

    func readCIFAR(_ bytes: [UInt8], format: CIFARRecords.Format) -> (path: String, read: () throws(DatasetError) -> Void) {
        let path = folder.write("batch.bin", bytes)
        return (path, { () throws(DatasetError) in _ = try CIFARRecords.read([path], format: format) })
    }

    @Test func cifarPartialLastRecord() {
        let bytes = cifarFile(labels: [[1], [2]], pixels: testBytes(2 * 3072, seed: 2))
        let (path, read) = readCIFAR(Array(bytes.dropLast(10)), format: .cifar10)
        expectError(naming: path, offset: 2 * 3073 - 10, read) {
            $0 == .truncated(file: path, offset: 2 * 3073 - 10, needed: 10, what: "record 1 (records are 3073 bytes)")
        }
    }

    @Test func cifar10LabelOutOfRange() {
        let (path, read) = readCIFAR(cifarFile(labels: [[1], [10]], pixels: testBytes(2 * 3072, seed: 2)), format: .cifar10)
        expectError(naming: path, offset: 3073, read) { $0 == .labelOutOfRange(file: path, offset: 3073, label: 10, classCount: 10) }
    }

    @Test func cifar100FineLabelOutOfRange() {
        let (path, read) = readCIFAR(cifarFile(labels: [[1, 99], [2, 100]], pixels: testBytes(2 * 3072, seed: 2)), format: .cifar100)
        expectError(naming: path, offset: 3075, read) { $0 == .labelOutOfRange(file: path, offset: 3075, label: 100, classCount: 100) }
    }

    @Test func cifar100CoarseLabelOutOfRange() {
        let (path, read) = readCIFAR(cifarFile(labels: [[20, 5]], pixels: testBytes(3072, seed: 2)), format: .cifar100)
        expectError(naming: path, offset: 0, read) { $0 == .labelOutOfRange(file: path, offset: 0, label: 20, classCount: 20) }
    }

    @Test func cifarEmptyFile() {
        let (path, read) = readCIFAR([], format: .cifar10)
        expectError(naming: path, offset: nil, read) { if case .empty = $0 { true } else { false } }
    }

    // MARK: N-MNIST

    func readEvents(_ bytes: [UInt8]) -> (path: String, read: () throws(DatasetError) -> Void) {
        let path = folder.write("00001.bin", bytes)
        return (path, { () throws(DatasetError) in _ = try NMNISTEvent.decode(FileContents.read(path), file: path) })
    }

    @Test func nmnistPartialEvent() {
        let bytes = nmnistFile(testEvents(count: 10, seed: 3))
        let (path, read) = readEvents(Array(bytes.dropLast(2)))
        expectError(naming: path, offset: 48, read) { if case .truncated(_, 48, 2, _) = $0 { true } else { false } }
    }

    @Test(arguments: [(34, 5), (5, 34), (255, 255)])
    func nmnistEventOutsideTheSensor(x: Int, y: Int) {
        var bytes = nmnistFile(testEvents(count: 10, seed: 3))
        bytes[15] = UInt8(x)
        bytes[16] = UInt8(y)
        let (path, read) = readEvents(bytes)
        expectError(naming: path, offset: 15, read) { $0 == .eventOutOfRange(file: path, offset: 15, x: x, y: y) }
    }

    @Test func nmnistTimestampGoesBackwards() {
        var events = testEvents(count: 10, seed: 3)
        events[6].timestamp = events[5].timestamp - 1
        let (path, read) = readEvents(nmnistFile(events))
        expectError(naming: path, offset: 30, read) {
            $0 == .timestampDecreasing(file: path, offset: 30, previous: events[5].timestamp, current: events[6].timestamp)
        }
    }

    @Test func nmnistEmptySample() {
        let (path, read) = readEvents([])
        expectError(naming: path, offset: nil, read) { $0 == .empty(path: path, what: "no events") }
    }

    func loadSplit() -> () throws(DatasetError) -> Void {
        let path = folder.path + "/Train"
        return { () throws(DatasetError) in _ = try EventFrameSplit.load(folder: path, identifier: "t", encoding: .reference) }
    }

    @Test func nmnistEmptyLabelFolder() throws {
        writeNMNISTSplit(folder, folder: "Train", perLabel: 1, seed: 5)
        try FileManager.default.removeItem(atPath: folder.path + "/Train/3/00004.bin")
        expectError(naming: folder.path + "/Train/3", offset: nil, loadSplit()) { if case .empty = $0 { true } else { false } }
    }

    @Test func nmnistMissingLabelFolder() throws {
        writeNMNISTSplit(folder, folder: "Train", perLabel: 1, seed: 5)
        try FileManager.default.removeItem(atPath: folder.path + "/Train/9")
        expectError(naming: folder.path + "/Train/9", offset: nil, loadSplit()) { if case .layoutViolation = $0 { true } else { false } }
    }

    @Test func nmnistEmptySplitFolder() {
        folder.makeFolder("Train")
        expectError(naming: folder.path + "/Train", offset: nil, loadSplit()) { if case .empty = $0 { true } else { false } }
    }

    @Test func nmnistStrayEntries() {
        writeNMNISTSplit(folder, folder: "Train", perLabel: 1, seed: 5)
        folder.write("Train/2/notes.txt", [1])
        expectError(naming: folder.path + "/Train/2/notes.txt", offset: nil, loadSplit()) {
            if case .layoutViolation = $0 { true } else { false }
        }
        folder.makeFolder("Train/10")
        expectError(naming: folder.path + "/Train/10", offset: nil, loadSplit()) { if case .layoutViolation = $0 { true } else { false } }
    }

    /// A bad sample deep inside a split names that sample's file.
    @Test func nmnistBadSampleInsideASplit() {
        writeNMNISTSplit(folder, folder: "Train", perLabel: 2, seed: 5)
        let bad = folder.write("Train/7/00015.bin", Array(nmnistFile(testEvents(count: 10, seed: 3)).dropLast(1)))
        expectError(naming: bad, offset: 49, loadSplit()) { if case .truncated = $0 { true } else { false } }
    }

    @Test func unreadableFile() {
        let path = folder.path + "/absent"
        expectError(naming: path, offset: nil, { () throws(DatasetError) in _ = try FileContents.read(path) }) {
            if case .unreadable = $0 { true } else { false }
        }
        expectError(naming: folder.path, offset: nil, { () throws(DatasetError) in _ = try FileContents.read(folder.path) }) {
            $0 == .unreadable(path: folder.path, reason: "not a regular file (a directory)")
        }
    }

    @Test func invalidEncodingSettings() {
        #expect(throws: DatasetError.invalidSetting("N-MNIST time steps 0 < 1")) {
            try NMNISTEncoding.tsslbp(timeSteps: 0, fillLastFrame: false).validate()
        }
        #expect(throws: DatasetError.invalidSetting("N-MNIST bin width 0 µs < 1")) {
            try NMNISTEncoding.plain(timeSteps: 5, binWidthMicroseconds: 0, counts: false).validate()
        }
    }
}
