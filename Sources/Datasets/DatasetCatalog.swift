import Foundation

/// The datasets by name: where their files are and how to read them.
public enum DatasetCatalog {
    /// Reads and validates a whole dataset. `interruptionCheck` is asked before each file (each
    /// N-MNIST sample) is read; when it returns true, loading stops with `interrupted`.
    public static func load(
        _ name: DatasetName, from root: DataRoot, options: DatasetOptions = .init(),
        interruptionCheck: (() -> Bool)? = nil
    ) throws(DatasetError) -> Dataset {
        let files = try locate(name, in: root)
        let train: any DatasetSplit, test: any DatasetSplit
        switch name {
        case .mnist, .fashionMNIST:
            train = try idxSplit(images: files[0], labels: files[1], identifier: "\(name.rawValue)/train",
                                 interruptionCheck: interruptionCheck)
            test = try idxSplit(images: files[2], labels: files[3], identifier: "\(name.rawValue)/test",
                                interruptionCheck: interruptionCheck)
        case .cifar10, .cifar100:
            let format: CIFARRecords.Format = name == .cifar10 ? .cifar10 : .cifar100
            train = cifarSplit(try CIFARRecords.read(Array(files.dropLast()), format: format, interruptionCheck: interruptionCheck),
                               identifier: "\(name.rawValue)/train", augmented: options.augmentsTraining)
            test = cifarSplit(try CIFARRecords.read([files.last!], format: format, interruptionCheck: interruptionCheck),
                              identifier: "\(name.rawValue)/test", augmented: false)
        case .cifar10Subset:
            let records = try CIFARRecords.read(files, format: .cifar10, interruptionCheck: interruptionCheck)
            let isTest = subsetTestMask(records.labels)
            train = cifarSplit(records, selecting: isTest.indices.filter { !isTest[$0] },
                               identifier: "\(name.rawValue)/train", augmented: options.augmentsTraining)
            test = cifarSplit(records, selecting: isTest.indices.filter { isTest[$0] },
                              identifier: "\(name.rawValue)/test", augmented: false)
        case .nmnist:
            train = try EventFrameSplit.load(folder: files[0], identifier: "nmnist/train", encoding: options.nmnistEncoding,
                                             interruptionCheck: interruptionCheck)
            test = try EventFrameSplit.load(folder: files[1], identifier: "nmnist/test", encoding: options.nmnistEncoding,
                                            interruptionCheck: interruptionCheck)
        }
        for (split, what) in [(train, "training"), (test, "test")] where split.count == 0 {
            throw .empty(path: files.count == 1 ? files[0] : root.folder(of: name), what: "the \(what) split of \(name.rawValue) has no samples")
        }
        return Dataset(name: name, train: train, test: test, files: files)
    }

    /// The dataset's files (for N-MNIST its `Train` and `Test` folders), in a fixed order: MNIST
    /// and Fashion-MNIST train images, train labels, test images, test labels; CIFAR-10 the five
    /// training batches then the test batch; CIFAR-100 train then test. Throws `missingDataset`
    /// when none is present, `incompleteDataset` when only some are.
    ///
    /// An entry is present when it exists in any form, so a broken one is an error of the data,
    /// not a missing dataset: a dangling symbolic link or a link loop is `unreadable`, a folder
    /// where a file belongs (or a file where N-MNIST's split folder belongs) a `layoutViolation`.
    public static func locate(_ name: DatasetName, in root: DataRoot) throws(DatasetError) -> [String] {
        let alternatives = candidates(name, folder: root.folder(of: name))
        let found = alternatives.map { paths in paths.first(where: entryExists) }
        if found.allSatisfy({ $0 == nil }) {
            throw .missingDataset(name, searched: alternatives.flatMap { $0 }, howToObtain: name.howToObtain)
        }
        let missing = zip(alternatives, found).filter { $0.1 == nil }.map { $0.0.joined(separator: " or ") }
        guard missing.isEmpty else { throw .incompleteDataset(name, missing: missing, howToObtain: name.howToObtain) }
        let paths = found.compactMap { $0 }
        for path in paths {
            let kind: FileKind?
            do { kind = try FileKind(at: path) } catch { throw .unreadable(path: path, reason: error.reason) }
            let isFolder = kind == .directory
            if name == .nmnist && !isFolder {
                throw .layoutViolation(path: path, reason: "not a folder (layout: <split>/<label 0…9>/<id>.bin)")
            }
            if name != .nmnist && isFolder { throw .layoutViolation(path: path, reason: "a folder where a data file belongs") }
        }
        return paths
    }

    /// Whether `path` names an entry of any type, a symbolic link not followed.
    private static func entryExists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// For each file the dataset needs, the paths it may be stored at, preferred first.
    private static func candidates(_ name: DatasetName, folder: String) -> [[String]] {
        let idx = DatasetName.idxFiles
        switch name {
        case .mnist, .fashionMNIST:
            return [idx.trainImages, idx.trainLabels, idx.testImages, idx.testLabels]
                .map { [folder + "/" + $0, folder + "/" + $0 + ".gz"] }
        case .cifar10:
            return ((1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"])
                .map { [folder + "/" + $0, folder + "/cifar-10-batches-bin/" + $0] }
        case .cifar100:
            return ["train.bin", "test.bin"].map { [folder + "/" + $0, folder + "/cifar-100-binary/" + $0] }
        case .cifar10Subset:
            return [[folder + "/" + DatasetName.cifar10SubsetFile]]
        case .nmnist:
            return [[folder + "/Train"], [folder + "/Test"]]
        }
    }

    /// Images of 28 × 28 bytes with labels 0…9, normalised with MNIST's constants (spec §8.1).
    private static func idxSplit(
        images: String, labels: String, identifier: String, interruptionCheck: (() -> Bool)?
    ) throws(DatasetError) -> ImageSplit {
        try DatasetError.checkInterruption(interruptionCheck, before: images)
        let imageArray = try IDXArray.read(images, rank: 3)
        guard imageArray.dimensions.dropFirst() == [28, 28] else {
            throw .invalidDimensions(file: images, offset: 8, dimensions: imageArray.dimensions, reason: "images must be 28×28")
        }
        try DatasetError.checkInterruption(interruptionCheck, before: labels)
        let labelArray = try IDXArray.read(labels, rank: 1)
        guard labelArray.dimensions[0] == imageArray.dimensions[0] else {
            throw .countMismatch(images: images, labels: labels, imageCount: imageArray.dimensions[0],
                                 labelCount: labelArray.dimensions[0])
        }
        if let bad = labelArray.elements.firstIndex(where: { $0 >= 10 }) {
            throw .labelOutOfRange(file: labels, offset: labelArray.headerSize + bad,
                                   label: Int(labelArray.elements[bad]), classCount: 10)
        }
        return ImageSplit(identifier: identifier, pixels: imageArray.elements, labels: labelArray.elements.map(Int.init),
                          classCount: 10, sampleShape: [1, 28, 28], normalization: .mnist)
    }

    /// A CIFAR split of the records at `indices` (all by default), normalised as in spec §7.
    private static func cifarSplit(
        _ records: CIFARRecords, selecting indices: [Int]? = nil, identifier: String, augmented: Bool
    ) -> ImageSplit {
        let size = CIFARRecords.imageBytes
        let chosen = indices ?? Array(0..<records.count)
        let pixels = indices == nil ? records.pixels : chosen.flatMap { records.pixels[($0 * size)..<(($0 + 1) * size)] }
        return ImageSplit(identifier: identifier, pixels: pixels, labels: chosen.map { records.labels[$0] },
                          classCount: records.coarseLabels.isEmpty ? 10 : 100, sampleShape: [3, 32, 32],
                          normalization: .cifar, augmentation: augmented ? RandomCropFlip(padding: 4) : nil)
    }

    /// The cifar10-subset split rule: in file order, every 8th image of each class (its 8th,
    /// 16th, … occurrence) is a test image, all others are training images. Each class keeps the
    /// same share in both splits to within one image; on the 4,000-image file this gives 495
    /// test and 3,505 training images.
    public static func subsetTestMask(_ labels: [Int]) -> [Bool] {
        var seen = [Int: Int]()
        return labels.map { label in
            seen[label, default: 0] += 1
            return seen[label]! % 8 == 0
        }
    }
}
