import CZlib
import Datasets
import Foundation
import Tensor
import TestSupport

/// Writing test files into a temporary directory.
extension TemporaryDirectory {
    /// Writes `bytes` to `name` (sub-folders created as needed) and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try! Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Writes `bytes` gzip-compressed (one member, written by zlib's gzwrite).
    @discardableResult
    func writeGzip(_ name: String, _ bytes: [UInt8]) -> String {
        write(name, gzip(bytes))
    }

    func makeFolder(_ name: String) {
        try! FileManager.default.createDirectory(atPath: path + "/" + name, withIntermediateDirectories: true)
    }
}

/// `bytes` as one gzip member, compressed by zlib.
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fsnn-gzip-\(UUID().uuidString).gz").path
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let file = gzopen(scratch, "wb")!
    let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
    precondition(Int(written) == bytes.count && gzclose(file) == Z_OK, "gzwrite failed")
    return [UInt8](FileManager.default.contents(atPath: scratch)!)
}

/// Big-endian bytes of a 32-bit value.
func bigEndian(_ value: Int) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
}

/// An IDX file of unsigned bytes: magic 0 0 8 rank, extents, elements.
func idxFile(dimensions: [Int], elements: [UInt8]) -> [UInt8] {
    [0, 0, 0x08, UInt8(dimensions.count)] + dimensions.flatMap(bigEndian) + elements
}

/// Deterministic pseudo-random bytes for test content.
func testBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = RandomGenerator(seed: seed)
    var bytes = [UInt8]()
    bytes.reserveCapacity(count + 8)
    while bytes.count < count {
        let word = generator.next()
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) }
    }
    return Array(bytes.prefix(count))
}

/// MNIST-format images and labels: `count` random 28 × 28 images, labels `i % 10`.
struct IDXContent {
    let images: [UInt8]
    let labels: [UInt8]

    init(count: Int, seed: UInt64) {
        images = testBytes(count * 784, seed: seed)
        labels = (0..<count).map { UInt8($0 % 10) }
    }

    var imageFile: [UInt8] { idxFile(dimensions: [labels.count, 28, 28], elements: images) }
    var labelFile: [UInt8] { idxFile(dimensions: [labels.count], elements: labels) }
}

/// Writes an MNIST-layout dataset folder (`<folder>/train-images-idx3-ubyte[.gz]` …).
func writeIDXDataset(_ root: TemporaryDirectory, folder: String, train: IDXContent, test: IDXContent, compressed: Bool) {
    let files = [("train-images-idx3-ubyte", train.imageFile), ("train-labels-idx1-ubyte", train.labelFile),
                 ("t10k-images-idx3-ubyte", test.imageFile), ("t10k-labels-idx1-ubyte", test.labelFile)]
    for (name, bytes) in files {
        if compressed { root.writeGzip("\(folder)/\(name).gz", bytes) } else { root.write("\(folder)/\(name)", bytes) }
    }
}

/// CIFAR binary records: labels then 3072 pixels each (CIFAR-100: coarse, fine, pixels).
func cifarFile(labels: [[UInt8]], pixels: [UInt8]) -> [UInt8] {
    labels.indices.flatMap { labels[$0] + pixels[($0 * 3072)..<(($0 + 1) * 3072)] }
}

/// The 5-byte on-disk form of N-MNIST events.
func nmnistFile(_ events: [NMNISTEvent]) -> [UInt8] {
    events.flatMap { event in
        [UInt8(event.x), UInt8(event.y), UInt8(event.polarity << 7 | event.timestamp >> 16),
         UInt8(truncatingIfNeeded: event.timestamp >> 8), UInt8(truncatingIfNeeded: event.timestamp)]
    }
}

/// A short recording: `count` events with non-decreasing timestamps over about 300 ms.
func testEvents(count: Int, seed: UInt64) -> [NMNISTEvent] {
    var generator = RandomGenerator(seed: seed)
    var time = 0
    return (0..<count).map { _ in
        time += generator.nextInt(below: 2 * 300_000 / count)
        return NMNISTEvent(x: generator.nextInt(below: 34), y: generator.nextInt(below: 34),
                           polarity: generator.nextInt(below: 2), timestamp: time)
    }
}

/// Writes an N-MNIST split folder `<folder>/<label>/<id>.bin` with `perLabel` samples per label.
func writeNMNISTSplit(_ root: TemporaryDirectory, folder: String, perLabel: Int, seed: UInt64) {
    for label in 0..<10 {
        for k in 0..<perLabel {
            let id = label * perLabel + k + 1
            root.write("\(folder)/\(label)/\(String(format: "%05d", id)).bin",
                       nmnistFile(testEvents(count: 200, seed: seed &+ UInt64(id))))
        }
    }
}

/// The package root, from this file's location (Tests/DatasetsTests/TestFiles.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The project's read-only offline data (../shared/data beside the package), if present.
let sharedData: String? = {
    let path = packageRoot + "/../shared/data"
    return FileManager.default.fileExists(atPath: path + "/README.md") ? path : nil
}()

/// Debian's Fashion-MNIST, if installed.
let debianFashionMNIST: String? = {
    let path = "/usr/share/datasets/fashion-mnist"
    return FileManager.default.fileExists(atPath: path + "/train-images-idx3-ubyte.gz") ? path : nil
}()
