import Datasets
import Foundation
import Tensor
import Testing

/// The real datasets, when this machine has them: ../shared/data beside the package and Debian's
/// Fashion-MNIST. Skipped (with the reason shown) elsewhere.
@Suite struct RealDataTests {
    static let sharedNote: Comment = "../shared/data is not present beside the package"

    @Test(.enabled(if: sharedData != nil, sharedNote))
    func mnistCountsAndLabels() throws {
        let dataset = try DatasetCatalog.load(.mnist, from: DataRoot(path: sharedData!))
        #expect(dataset.train.count == 60_000 && dataset.test.count == 10_000)
        // ../shared/data/README.md
        #expect(dataset.train.labelHistogram == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(dataset.test.labelHistogram == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(Array(dataset.train.labels.prefix(8)) == [5, 0, 4, 1, 9, 2, 1, 3])
    }

    /// Decompressed files against MNIST's published md5s.
    @Test(.enabled(if: sharedData != nil, sharedNote))
    func mnistChecksums() throws {
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            let content = try FileContents.read(sharedData! + "/mnist/\(name).gz")
            #expect(DataFileChecksum.md5(of: content) == DatasetName.mnist.publishedMD5[name])
        }
    }

    @Test(.enabled(if: sharedData != nil, sharedNote))
    func nmnistSubsetMatchesItsManifest() throws {
        let dataset = try DatasetCatalog.load(.nmnist, from: DataRoot(path: sharedData!))
        #expect(dataset.train.count == 1000 && dataset.test.count == 100)
        let manifest = try String(contentsOfFile: sharedData! + "/nmnist/MANIFEST.tsv", encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        for (splitName, split) in [("Train", dataset.train), ("Test", dataset.test)] {
            let files = try #require(split as? EventFrameSplit).sampleFiles
            let loaded = Dictionary(uniqueKeysWithValues: zip(files.map { "\(splitName)/\($0)" }, split.labels))
            let listed = Dictionary(uniqueKeysWithValues: manifest.filter { $0[0] == splitName }.map { ($0[3], Int($0[2])!) })
            #expect(loaded == listed, "\(splitName): every manifest sample loaded with its label")
        }
        // The reference encoding: the last of the 30 frames is empty, the others are not.
        var generator = RandomGenerator(seed: 0)
        let frames = dataset.train.sample(0, using: &generator)
        let perFrame = (0..<30).map { t in (0..<(2 * 34 * 34)).reduce(Float(0)) { $0 + frames.pointer[t * 2312 + $1] } }
        #expect(perFrame[29] == 0 && perFrame[0..<29].allSatisfy { $0 > 0 })
        #expect(frames.scalars.allSatisfy { $0 == 0 || $0 == 1 })
    }

    /// The N-MNIST test folders are sorted by label (8 of class 0 first, then 14 of class 1, …):
    /// evaluation in file order made the smoke profile's one test batch of 16 two classes. The
    /// evaluation order puts one of each class in every batch of 16 and keeps the rest in
    /// proportion.
    @Test(.enabled(if: sharedData != nil, sharedNote))
    func nmnistSmokeTestBatchSeesEveryClass() throws {
        let dataset = try DatasetCatalog.load(.nmnist, from: DataRoot(path: sharedData!))
        #expect(Set(dataset.test.labels.prefix(16)) == [0, 1], "the files are sorted by label")
        for seed in UInt64(0)..<5 {
            let batcher = try Batcher(split: dataset.test, batchSize: 16, generator: RandomGenerator(seed: seed),
                                      shuffles: false, prefetches: false)
            let first = try #require(batcher.nextEpoch().next())
            #expect(Set(first.labels) == Set(0..<10), "seed \(seed): \(first.labels)")
        }
    }

    @Test(.enabled(if: sharedData != nil, sharedNote))
    func cifar10Subset() throws {
        let path = sharedData! + "/cifar10/\(DatasetName.cifar10SubsetFile)"
        #expect(DataFileChecksum.md5(of: try FileContents.read(path))
            == DatasetName.cifar10Subset.publishedMD5[DatasetName.cifar10SubsetFile])
        let records = try CIFARRecords.read([path], format: .cifar10)
        #expect(records.count == 4000)
        #expect(Array(records.labels.prefix(10)) == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3])
        let dataset = try DatasetCatalog.load(.cifar10Subset, from: DataRoot(path: sharedData!))
        #expect(dataset.test.labelHistogram == [49, 45, 52, 48, 52, 49, 51, 48, 50, 51])
        #expect(dataset.train.labelHistogram == [347, 321, 368, 336, 370, 344, 363, 337, 357, 362])
    }

    @Test(.enabled(if: debianFashionMNIST != nil, "Debian's dataset-fashion-mnist is not installed"))
    func fashionMNIST() throws {
        let root = DataRoot(path: (debianFashionMNIST! as NSString).deletingLastPathComponent)
        let dataset = try DatasetCatalog.load(.fashionMNIST, from: root)
        #expect(dataset.train.labelHistogram == [Int](repeating: 6000, count: 10))
        #expect(dataset.test.labelHistogram == [Int](repeating: 1000, count: 10))
        for name in ["train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"] {
            let content = try FileContents.read(debianFashionMNIST! + "/\(name).gz")
            #expect(DataFileChecksum.md5(of: content) == DatasetName.fashionMNIST.publishedMD5[name])
        }
    }
}
