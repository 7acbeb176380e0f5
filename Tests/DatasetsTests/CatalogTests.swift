import Datasets
import Foundation
import Tensor
import TestSupport
import Testing

/// Datasets by name from generated data roots in the real layouts.
@Suite struct CatalogTests {
    let root: TemporaryDirectory
    var dataRoot: DataRoot { DataRoot(path: root.path) }

    init() throws { root = try TemporaryDirectory() }

    @Test(arguments: [DatasetName.mnist, .fashionMNIST])
    func idxDatasets(name: DatasetName) throws {
        let train = IDXContent(count: 30, seed: 51), test = IDXContent(count: 12, seed: 52)
        writeIDXDataset(root, folder: name.folderName, train: train, test: test, compressed: name == .fashionMNIST)
        let dataset = try DatasetCatalog.load(name, from: dataRoot)
        #expect(dataset.train.count == 30 && dataset.test.count == 12)
        #expect(dataset.train.sampleShape == [1, 28, 28] && dataset.train.classCount == 10)
        #expect(dataset.train.labels == train.labels.map(Int.init) && dataset.test.labels == test.labels.map(Int.init))
        #expect(!dataset.train.isAugmented)
        var generator = RandomGenerator(seed: 1)
        let sample = dataset.test.sample(11, using: &generator).scalars
        let reference = test.images[(11 * 784)..<(12 * 784)].map { (Double($0) / 255 - 0.1307) / 0.3081 }
        #expect(zip(sample, reference).allSatisfy { abs(Double($0) - $1) <= 1e-6 * abs($1) + 1e-6 })

        let checksums = try DatasetCatalog.checksums(of: name, in: dataRoot)
        let suffix = name == .fashionMNIST ? ".gz" : ""
        #expect(checksums.map(\.path) == ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                          "t10k-labels-idx1-ubyte"].map { "\(name.folderName)/\($0)\(suffix)" })
        #expect(checksums.map(\.md5) == [train.imageFile, train.labelFile, test.imageFile, test.labelFile].map(DataFileChecksum.md5))
        #expect(checksums[0].byteCount == train.imageFile.count)
    }

    @Test func cifar10FromTheOfficialFolder() throws {
        var labels = [[Int]]()
        for (k, name) in ((1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]).enumerated() {
            let batchLabels = (0..<4).map { (k + $0) % 10 }
            labels.append(batchLabels)
            root.write("cifar10/cifar-10-batches-bin/\(name)",
                       cifarFile(labels: batchLabels.map { [UInt8($0)] }, pixels: testBytes(4 * 3072, seed: UInt64(k))))
        }
        let dataset = try DatasetCatalog.load(.cifar10, from: dataRoot)
        #expect(dataset.train.labels == labels.dropLast().flatMap { $0 } && dataset.test.labels == labels.last!)
        #expect(dataset.train.isAugmented && !dataset.test.isAugmented)
        #expect(dataset.train.sampleShape == [3, 32, 32])
        let plain = try DatasetCatalog.load(.cifar10, from: dataRoot, options: DatasetOptions(augmentsTraining: false))
        #expect(!plain.train.isAugmented)
    }

    /// An interruption check that answers true on its `stopAt`th question (never when nil) and
    /// counts the questions.
    final class InterruptionProbe {
        let stopAt: Int?
        private(set) var questions = 0
        init(stopAt: Int?) { self.stopAt = stopAt }
        var check: () -> Bool { { [self] in questions += 1; return questions == stopAt } }
    }

    /// Loading and checksumming ask before every file (every N-MNIST sample) they read and stop
    /// with `interrupted` naming that file (issue 11: SIGTERM while a run reads 70,000 samples).
    @Test func readingStopsBeforeTheFileAtWhichTheInterruptionCheckAsks() throws {
        writeNMNISTSplit(root, folder: "nmnist/Train", perLabel: 2, seed: 61)
        writeNMNISTSplit(root, folder: "nmnist/Test", perLabel: 1, seed: 62)
        let everyFile = InterruptionProbe(stopAt: nil)
        _ = try DatasetCatalog.load(.nmnist, from: dataRoot, interruptionCheck: everyFile.check)
        _ = try DatasetCatalog.checksums(of: .nmnist, in: dataRoot, interruptionCheck: everyFile.check)
        #expect(everyFile.questions == 2 * 30)
        // Train holds samples 1…20, Test 1…10 (one per label): the 23rd file is Test/2/00003.bin.
        #expect(throws: DatasetError.interrupted(path: root.path + "/nmnist/Test/2/00003.bin")) {
            try DatasetCatalog.load(.nmnist, from: dataRoot, interruptionCheck: InterruptionProbe(stopAt: 23).check)
        }
        #expect(throws: DatasetError.interrupted(path: root.path + "/nmnist/Train/0/00001.bin")) {
            try DatasetCatalog.checksums(of: .nmnist, in: dataRoot, interruptionCheck: InterruptionProbe(stopAt: 1).check)
        }

        writeIDXDataset(root, folder: "mnist", train: IDXContent(count: 3, seed: 53), test: IDXContent(count: 2, seed: 54),
                        compressed: false)
        #expect(throws: DatasetError.interrupted(path: root.path + "/mnist/t10k-images-idx3-ubyte")) {
            try DatasetCatalog.load(.mnist, from: dataRoot, interruptionCheck: InterruptionProbe(stopAt: 3).check)
        }
        #expect(throws: DatasetError.interrupted(path: root.path + "/mnist/train-labels-idx1-ubyte")) {
            try DatasetCatalog.checksums(of: .mnist, in: dataRoot, interruptionCheck: InterruptionProbe(stopAt: 2).check)
        }

        root.write("cifar100/train.bin", cifarFile(labels: [[3, 33]], pixels: testBytes(3072, seed: 1)))
        root.write("cifar100/test.bin", cifarFile(labels: [[0, 0]], pixels: testBytes(3072, seed: 2)))
        #expect(throws: DatasetError.interrupted(path: root.path + "/cifar100/test.bin")) {
            try DatasetCatalog.load(.cifar100, from: dataRoot, interruptionCheck: InterruptionProbe(stopAt: 2).check)
        }
    }

    @Test func cifar100() throws {
        root.write("cifar100/train.bin", cifarFile(labels: [[3, 33], [19, 99]], pixels: testBytes(2 * 3072, seed: 1)))
        root.write("cifar100/test.bin", cifarFile(labels: [[0, 0]], pixels: testBytes(3072, seed: 2)))
        let dataset = try DatasetCatalog.load(.cifar100, from: dataRoot)
        #expect(dataset.train.labels == [33, 99] && dataset.test.labels == [0] && dataset.train.classCount == 100)
    }

    @Test func cifar10SubsetSplitsByTheRule() throws {
        let labels = (0..<40).map { $0 % 2 }   // 20 of each class → the 8th and 16th of each are test images
        let pixels = (0..<40).flatMap { [UInt8](repeating: UInt8($0), count: 3072) }
        root.write("cifar10/\(DatasetName.cifar10SubsetFile)", cifarFile(labels: labels.map { [UInt8($0)] }, pixels: pixels))
        let dataset = try DatasetCatalog.load(.cifar10Subset, from: dataRoot, options: DatasetOptions(augmentsTraining: false))
        #expect(dataset.test.count == 4 && dataset.train.count == 36)
        // Test images are records 14, 15, 30, 31: their pixels carry the record number.
        var generator = RandomGenerator(seed: 1)
        let firstPixels = (0..<4).map { dataset.test.sample($0, using: &generator)[0, 0, 0] }
        let expected = [14, 15, 30, 31].map { (Float($0) / 255 - 0.4914) / 0.2023 }
        #expect(zip(firstPixels, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(dataset.test.labels == [0, 1, 0, 1])
    }

    @Test func nmnist() throws {
        writeNMNISTSplit(root, folder: "nmnist/Train", perLabel: 2, seed: 61)
        writeNMNISTSplit(root, folder: "nmnist/Test", perLabel: 1, seed: 62)
        let options = DatasetOptions(nmnistEncoding: .plain(timeSteps: 10, binWidthMicroseconds: 5000, counts: true))
        let dataset = try DatasetCatalog.load(.nmnist, from: dataRoot, options: options)
        #expect(dataset.train.count == 20 && dataset.test.count == 10)
        #expect(dataset.train.sampleShape == [10, 2, 34, 34])
        #expect(dataset.train.labels == (0..<10).flatMap { [$0, $0] })
        let split = try #require(dataset.train as? EventFrameSplit)
        #expect(split.sampleFiles.prefix(3) == ["0/00001.bin", "0/00002.bin", "1/00003.bin"])
        // Counts: the frames hold every event of the first 50 ms.
        var generator = RandomGenerator(seed: 1)
        let events = testEvents(count: 200, seed: 61 &+ 1).filter { $0.timestamp < 50_000 }
        #expect(split.sample(0, using: &generator).scalars.reduce(0, +) == Float(events.count))

        let checksums = try DatasetCatalog.checksums(of: .nmnist, in: dataRoot)
        #expect(checksums.map(\.path) == ["nmnist/Train", "nmnist/Test"])
        let listing = (1...10).map { id in
            let label = id - 1
            return "\(DataFileChecksum.md5(of: nmnistFile(testEvents(count: 200, seed: 62 &+ UInt64(id)))))  Test/\(label)/\(String(format: "%05d", id)).bin\n"
        }.joined()
        #expect(checksums[1].md5 == DataFileChecksum.md5(of: Array(listing.utf8)))
    }

    @Test func missingDatasetNamesWhereItLookedAndHowToObtainIt() {
        do {
            _ = try DatasetCatalog.load(.cifar10, from: dataRoot)
            Issue.record("no error")
        } catch {
            guard case let .missingDataset(name, searched, howToObtain) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(name == .cifar10 && searched.count == 12)
            #expect(searched.contains(root.path + "/cifar10/cifar-10-batches-bin/test_batch.bin"))
            #expect(howToObtain.contains("cifar-10-binary.tar.gz"))
            #expect(error.description.contains(root.path + "/cifar10/data_batch_1.bin"))
        }
    }

    @Test func incompleteDatasetNamesTheMissingFiles() {
        writeIDXDataset(root, folder: "mnist", train: IDXContent(count: 3, seed: 1), test: IDXContent(count: 3, seed: 2),
                        compressed: true)
        try? FileManager.default.removeItem(atPath: root.path + "/mnist/t10k-labels-idx1-ubyte.gz")
        #expect(throws: DatasetError.incompleteDataset(
            .mnist,
            missing: ["\(root.path)/mnist/t10k-labels-idx1-ubyte or \(root.path)/mnist/t10k-labels-idx1-ubyte.gz"],
            howToObtain: DatasetName.mnist.howToObtain)) {
            try DatasetCatalog.load(.mnist, from: dataRoot)
        }
    }

    /// A broken entry makes the dataset present and unusable, never missing (issue 11: these
    /// rows were skipped as "data missing" with exit status 0).
    @Test func brokenEntriesAreErrorsOfThePresentDataset() throws {
        writeIDXDataset(root, folder: "mnist", train: IDXContent(count: 3, seed: 1), test: IDXContent(count: 3, seed: 2),
                        compressed: true)
        let path = root.path + "/mnist/t10k-labels-idx1-ubyte.gz"
        let files = FileManager.default
        try files.removeItem(atPath: path)
        try files.createSymbolicLink(atPath: path, withDestinationPath: root.path + "/nowhere")
        #expect(throws: DatasetError.unreadable(path: path, reason: "dangling symbolic link")) {
            try DatasetCatalog.locate(.mnist, in: dataRoot)
        }
        try files.removeItem(atPath: path)
        try files.createSymbolicLink(atPath: path, withDestinationPath: path)
        #expect(throws: DatasetError.unreadable(path: path, reason: "symbolic link loop")) {
            try DatasetCatalog.locate(.mnist, in: dataRoot)
        }
        try files.removeItem(atPath: path)
        root.makeFolder("mnist/t10k-labels-idx1-ubyte.gz")
        #expect(throws: DatasetError.layoutViolation(path: path, reason: "a folder where a data file belongs")) {
            try DatasetCatalog.locate(.mnist, in: dataRoot)
        }
    }

    /// Seven images: no class reaches its 8th image, so the subset's test split is empty.
    @Test func anEmptyTestSplitIsAnError() {
        let path = root.write("cifar10/\(DatasetName.cifar10SubsetFile)",
                              cifarFile(labels: (0..<7).map { [UInt8($0)] }, pixels: testBytes(7 * 3072, seed: 3)))
        #expect(throws: DatasetError.empty(path: path, what: "the test split of cifar10-subset has no samples")) {
            try DatasetCatalog.load(.cifar10Subset, from: dataRoot)
        }
    }

    @Test func dataRootPrecedence() {
        #expect(DataRoot.resolve(dataDirectory: "cli", environment: ["FSNN_DATA": "env"]) == DataRoot(path: "cli", origin: .commandLine))
        #expect(DataRoot.resolve(dataDirectory: nil, environment: ["FSNN_DATA": "env"]) == DataRoot(path: "env", origin: .environment))
        #expect(DataRoot.resolve(dataDirectory: nil, environment: ["FSNN_DATA": ""]) == DataRoot(path: "./data", origin: .defaultFolder))
        #expect(DataRoot.resolve(dataDirectory: nil, environment: [:]).path == "./data")
        #expect(DataRoot(path: "r").folder(of: .cifar10Subset) == "r/cifar10")
    }

    /// Generated MNIST cannot match MNIST's published md5s: present but wrong. A valid CIFAR-100
    /// (nothing published) is found; the others are missing. Only "wrong" fails the command.
    @Test func verification() {
        writeIDXDataset(root, folder: "mnist", train: IDXContent(count: 3, seed: 1), test: IDXContent(count: 2, seed: 2),
                        compressed: false)
        root.write("cifar100/train.bin", cifarFile(labels: [[3, 33]], pixels: testBytes(3072, seed: 1)))
        root.write("cifar100/test.bin", cifarFile(labels: [[0, 0]], pixels: testBytes(3072, seed: 2)))
        let results = DataVerification.verify(root: dataRoot)
        #expect(results.map(\.status) == [.wrong, .missing, .missing, .missing, .found, .missing])
        #expect(results[0].files.allSatisfy { $0.matches == false } && results[0].problems.count == 4)
        #expect(results[0].splits.map(\.count) == [3, 2], "a checksum mismatch still reports the counts")
        #expect(DataVerification.hasProblems(results))
        #expect(!DataVerification.hasProblems(Array(results.dropFirst())))
        let report = DataVerification.report(results, root: dataRoot)
        #expect(report.contains("mnist: wrong") && report.contains("cifar100: found") && report.contains("nmnist: missing"))
        #expect(report.contains("DIFFERS: 6bbc9ace898e44ae57da46a324031adb"))
        #expect(report.contains("summary: 1 found, 4 missing, 1 wrong"))
    }
}
