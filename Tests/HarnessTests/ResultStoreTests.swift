import Foundation
import FSNN
import HDF5
import Harness
import Tensor
import TestSupport
import Testing

/// A record with `epochs` epochs of made-up but distinct metrics.
/// A run of `row` on MNIST: a 5,000/1,000 subset, or with `wholeData` the published 60,000/10,000
/// splits; `predictions` are the last epoch's, against labels cycling through 0…9.
func syntheticRecord(table: String = "table1", row: String = "mnist-if", seed: Int = 0, profile: Profile = .quick,
                     method: String = "ide", timeSteps: Int = 30, testAccuracies: [Double] = [97.5, 98.75, 98.5],
                     layers: [String] = ["hidden"], status: RunStatus = .complete, wholeData: Bool = false,
                     predictions: [Int]? = nil) -> RunRecord {
    var provenance = Provenance(gitRevision: "abc123def456", fsnnVersion: "0.1.0", datasetUsed: "mnist",
                                trainSamples: 5000, testSamples: 1000,
                                trainSelection: SampleSelection(rule: .stratified, classCounts: [500, 500, 400, 600, 500, 500, 500, 500, 500, 500]),
                                testSelection: SampleSelection(rule: .all, classCounts: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]),
                                dataFiles: [DataFileChecksum(file: "mnist/t10k-labels-idx1-ubyte.gz", checksum: "md5:4134d8bf")],
                                started: Date(timeIntervalSince1970: 1_800_000_000))
    provenance.cpu = "Test CPU (family 1, model 2; AVX2)"
    (provenance.machineCores, provenance.blasThreads, provenance.workerThreads) = (2, 1, 1)
    if wholeData {
        (provenance.trainSamples, provenance.testSamples) = (60_000, 10_000)
        provenance.trainSelection = SampleSelection(rule: .all, classCounts: Array(repeating: 6_000, count: 10))
        provenance.testSelection = SampleSelection(rule: .all, classCounts: Array(repeating: 1_000, count: 10))
    }
    var record = RunRecord(
        table: table, row: row, label: "MNIST · \(row)", profile: profile, seed: seed,
        settings: [ConfigEntry(name: "dataset", value: .string("mnist")),
                   ConfigEntry(name: "classes", value: .integer(10)),
                   ConfigEntry(name: "method", value: .string(method)),
                   ConfigEntry(name: "time_steps", value: .integer(Int64(timeSteps))),
                   ConfigEntry(name: "lambda", value: .double(0.95)),
                   ConfigEntry(name: "quirks", value: .strings([])),
                   ConfigEntry(name: "epochs", value: .integer(Int64(testAccuracies.count)))],
        experimentYAML: "table: \(table)\n", provenance: provenance, layerNames: layers)
    for (index, accuracy) in testAccuracies.enumerated() {
        let e = Double(index + 1)
        record.epochs.append(EpochSummary(
            trainLoss: 1 / e, trainAccuracy: 90 + e, testLoss: 0.5 / e, testAccuracy: accuracy, learningRate: 0.05,
            seconds: 3.25 * e, solverIterations: method == "ide" ? 12 + e : .nan,
            solverResidualMean: method == "ide" ? 1e-3 / e : .nan, solverResidualMax: method == "ide" ? 2e-3 / e : .nan,
            firingRate: 0.01 * e, layerFiringRates: layers.indices.map { 0.01 * e + 0.001 * Double($0) }))
    }
    record.rates = FiringRates(epoch: testAccuracies.count, samples: 1000, timeSteps: timeSteps,
                               neurons: layers.indices.map { 12_544 + $0 }, rates: layers.indices.map { 0.004 + 0.001 * Double($0) },
                               synapticOperations: layers.indices.map { 1.5e6 + Double($0) })
    for iteration in 0..<7 {
        record.memory.append(peakBytes: 400_000_000 + timeSteps * (method == "stbp" ? 10_000_000 : 0) + iteration,
                             transientBytes: 100_000_000 + timeSteps * (method == "stbp" ? 10_000_000 : 0))
    }
    if let predictions {
        record.predictions = TestPredictions(epoch: testAccuracies.count, labels: predictions.indices.map { $0 % 10 },
                                             predicted: predictions)
    }
    record.status = status
    return record
}

@Suite struct ResultStoreTests {
    @Test func completeRecordRoundTrips() throws {
        let directory = try TemporaryDirectory()
        var record = syntheticRecord(layers: ["L1", "L2", "L3", "L4", "L5"], predictions: [3, 1, 2, 9, 4])
        record.convergence = [
            ConvergenceTrace(name: "untrained", epoch: 0, samples: 200, residualMean: [0.3, 0.14, 0.045], residualStd: [0.01, 0.02, 0.03]),
            ConvergenceTrace(name: "trained", epoch: 3, samples: 200, residualMean: [0.2, 0.1, 0.03], residualStd: [0, 0, 0]),
        ]
        let path = directory.file("table1/mnist-if/seed-0.h5")
        try ResultStore.write(record, to: path)
        let back = try ResultStore.read(path)
        #expect(back == record)
        #expect(back.bestTestAccuracy?.accuracy == 98.75 && back.bestTestAccuracy?.epoch == 2)
        #expect(back.lastTestAccuracy == 98.5)
        #expect(back.setting("lambda") == .double(0.95))
        #expect(back.predictions?.labels == [0, 1, 2, 3, 4] && back.predictions?.correct == [false, true, true, false, true])
        #expect(back.provenance.cpu == "Test CPU (family 1, model 2; AVX2)")
        #expect(try directory.entries("table1/mnist-if") == ["seed-0.h5"])
    }

    @Test func stbpNaNsEmptyRunsAndEveryStatusRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let statuses: [RunStatus] = [
            .running, .complete, .failed(StopPoint(epoch: 3, batch: 17, message: "loss is NaN")),
            .interrupted(StopPoint(epoch: 1, batch: 0, message: "SIGINT")),
        ]
        for (index, status) in statuses.enumerated() {
            let record = syntheticRecord(method: "stbp", status: status)
            let path = directory.file("r\(index).h5")
            try ResultStore.write(record, to: path)
            #expect(try ResultStore.read(path) == record)
        }
        var empty = syntheticRecord(testAccuracies: [], status: .failed(StopPoint(epoch: 1, batch: 0, message: "x")))
        empty.rates = nil
        empty.memory = MemoryRecord()
        try ResultStore.write(empty, to: directory.file("empty.h5"))
        let back = try ResultStore.read(directory.file("empty.h5"))
        #expect(back == empty)
        #expect(back.bestTestAccuracy == nil && back.rates == nil)
    }

    @Test func finalGroupHoldsBestLastAndStopPoint() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("failed.h5")
        try ResultStore.write(syntheticRecord(status: .failed(StopPoint(epoch: 4, batch: 9, message: "NaN loss"))), to: path)
        let file = try HDF5File.open(path)
        #expect(try file.attribute("status", of: "/final", as: String.self) == "failed")
        #expect(try file.attribute("best_test_acc", of: "/final", as: Double.self) == 98.75)
        #expect(try file.attribute("best_epoch", of: "/final", as: Int.self) == 2)
        #expect(try file.attribute("last_test_acc", of: "/final", as: Double.self) == 98.5)
        #expect(try file.attribute("stop_batch", of: "/final", as: Int.self) == 9)
        #expect(try file.read("/epochs/epoch", as: Int.self).values == [1, 2, 3])
        #expect(try file.attribute("train_samples", of: "/config", as: Int.self) == 5000)
        #expect(try file.attribute("layout_version", as: Int.self) == 1)
    }

    /// The selections are `/config` attributes; a file written before they were recorded (no
    /// attributes) evaluated the first samples in file order and reads so.
    @Test func sampleSelectionsAreRecordedAndOlderFilesReadAsFileOrder() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("selection.h5")
        let record = syntheticRecord()
        try ResultStore.write(record, to: path)
        do {
            let file = try HDF5File.open(path, mode: .readWrite)
            defer { try? file.close() }
            #expect(try file.attribute("train_selection", of: "/config", as: String.self) == "stratified")
            #expect(try file.attribute("test_selection", of: "/config", as: String.self) == "all")
            #expect(try file.attribute("train_class_counts", of: "/config", as: [Int].self)
                == [500, 500, 400, 600, 500, 500, 500, 500, 500, 500])
            #expect(!(try ResultStore.read(path).settings.contains { $0.name.hasSuffix("_selection") }))
        }
        let file = try HDF5File.open(path, mode: .readWrite)
        for name in ["train_selection", "train_class_counts", "test_selection", "test_class_counts"] {
            try file.removeAttribute(name, of: "/config")
        }
        try file.close()
        let old = try ResultStore.read(path)
        #expect(old.provenance.trainSelection == .unrecorded && old.provenance.testSelection == .unrecorded)
        #expect(old.provenance.testSelection.summary == "file order")
        #expect(record.provenance.trainSelection.summary == "stratified, 400–600 per class (10 classes)")
    }

    @Test func aHundredEpochsOfPerIterationMemoryStayWellUnderOneMegabyte() throws {
        let directory = try TemporaryDirectory()
        var record = syntheticRecord(testAccuracies: (0..<100).map { 90 + Double($0) / 100 },
                                     layers: ["L1", "L2", "L3", "L4", "L5"])
        record.memory = MemoryRecord()
        for iteration in 0..<(469 * 100) {  // 100 epochs of 60,000 / 128 iterations
            record.memory.append(peakBytes: 2_000_000_000 + (iteration % 469 == 0 ? 4096 : 0), transientBytes: 900_000_000)
        }
        record.convergence = [ConvergenceTrace(name: "trained", epoch: 100, samples: 200,
                                               residualMean: (1...300).map { 1 / Double($0) },
                                               residualStd: (1...300).map { 0.1 / Double($0) })]
        let path = directory.file("big.h5")
        try ResultStore.write(record, to: path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 250_000, "result file is \(size) bytes")
        #expect(try ResultStore.read(path).memory == record.memory)
    }

    @Test func inconsistentRecordIsRejectedAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory()
        var record = syntheticRecord(layers: ["L1", "L2"])
        record.epochs[1].layerFiringRates = [0.1]
        let path = directory.file("bad.h5")
        // The file is built in memory under its final name; nothing reaches the disk.
        #expect(throws: RunFileError.invalidLayout(file: path, object: "/epochs/layer_firing_rate",
                                                   reason: "epoch 2 has 1 layer rates for 2 layers")) {
            try ResultStore.write(record, to: path)
        }
        #expect(try directory.entries() == [])
    }

    @Test func resultFilesAreFoundByTableRowAndSeed() throws {
        let directory = try TemporaryDirectory()
        for (row, seed) in [("b", 1), ("a", 0), ("b", 0)] {
            try ResultStore.write(syntheticRecord(row: row, seed: seed), to: directory.file("t/\(row)/seed-\(seed).h5"))
        }
        try Data().write(to: URL(fileURLWithPath: directory.file("t/a/notes.txt")))
        #expect(ResultStore.resultFiles(in: directory.path) == ["a/seed-0.h5", "b/seed-0.h5", "b/seed-1.h5"].map {
            directory.file("t/\($0)")
        })
    }

    /// A run of another implementation names it in `/config@implementation`, which is no setting;
    /// fsnn's own runs have none and read as nil.
    @Test func implementationRoundTripsAndStaysOutOfTheSettings() throws {
        let directory = try TemporaryDirectory()
        var record = syntheticRecord()
        record.implementation = "pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu)"
        try ResultStore.write(record, to: directory.file("reference.h5"))
        let back = try ResultStore.read(directory.file("reference.h5"))
        #expect(back == record)
        #expect(back.implementation == "pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu)")
        #expect(back.settings == record.settings && back.setting("implementation") == nil)
        try ResultStore.write(syntheticRecord(), to: directory.file("fsnn.h5"))
        let file = try HDF5File.open(directory.file("fsnn.h5"))
        defer { try? file.close() }
        #expect(try !file.hasAttribute("implementation", of: "/config"))
        #expect(try ResultStore.read(directory.file("fsnn.h5")).implementation == nil)
    }

    /// The reference code's runs of a row lie in its `reference/` folder: listed by
    /// `referenceResultFiles`, never by `resultFiles`, which the report and `fsnn status` read.
    @Test func referenceResultFilesAreListedApartFromFsnnsOwn() throws {
        let directory = try TemporaryDirectory()
        for (row, seed) in [("b", 1), ("a", 0)] {
            try ResultStore.write(syntheticRecord(row: row, seed: seed), to: directory.file("t/\(row)/seed-\(seed).h5"))
        }
        for (row, seed) in [("b", 2), ("b", 0), ("a", 1)] {
            try ResultStore.write(syntheticRecord(row: row, seed: seed), to: directory.file("t/\(row)/reference/seed-\(seed).h5"))
        }
        try Data().write(to: URL(fileURLWithPath: directory.file("t/b/reference/seed-0.h5.lock")))
        try ResultStore.write(syntheticRecord(row: "a"), to: directory.file("t/a/reference/deeper/seed-0.h5"))
        #expect(ResultStore.resultFiles(in: directory.path) == ["a/seed-0.h5", "b/seed-1.h5"].map { directory.file("t/\($0)") })
        #expect(ResultStore.referenceResultFiles(in: directory.path)
            == ["a/reference/seed-1.h5", "b/reference/seed-0.h5", "b/reference/seed-2.h5"].map { directory.file("t/\($0)") })
    }

    @Test func h5dumpReadsAResultFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("seed-0.h5")
        try ResultStore.write(syntheticRecord(), to: path)
        guard let (status, output) = try runTool("h5dump", ["-A", path]) else { return }
        #expect(status == 0, "\(output)")
        for expected in ["GROUP \"config\"", "GROUP \"epochs\"", "DATASET \"test_acc\"", "GROUP \"final\"",
                         "ATTRIBUTE \"status\"", "\"complete\"", "GROUP \"memory\"", "GROUP \"rates\""] {
            #expect(output.contains(expected), "h5dump output lacks \(expected)")
        }
    }
}

@Suite struct CheckpointTests {
    @Test func everyPartRoundTripsInOrder() throws {
        let directory = try TemporaryDirectory()
        var generator = RandomGenerator(seed: 42)
        let dropout = generator.split()
        _ = generator.next()
        let weights = [
            NamedTensor("network_x.0.weight", try Tensor(shape: [4, 1, 2, 2], values: (0..<16).map { Float($0) / 7 })),
            NamedTensor("network_x.0.bias", try Tensor(shape: [4], values: [1, -2, 3, -4])),
            NamedTensor("network_s.weight_g", try Tensor(shape: [], values: [0.75])),
            NamedTensor("classifier.weight", try Tensor(shape: [2, 4], values: [1, 2, 3, 4, 5, 6, 7, 8])),
        ]
        let checkpoint = Checkpoint(
            weights: weights,
            buffers: [NamedTensor("network_x.1.running_mean", Tensor(repeating: 0.5, shape: [4])),
                      NamedTensor("network_s.u", try Tensor(shape: [0], values: []))],
            optimizerTensors: [NamedTensor("momentum.network_x.0.weight", Tensor(repeating: -1, shape: [4, 1, 2, 2]))],
            optimizerScalars: ["step": 1234, "lr": 0.005],
            randomStreams: ["init": generator, "dropout": dropout],
            progress: TrainingProgress(epoch: 7, iteration: 3283, bestAccuracy: 99.1, bestEpoch: 6,
                                       scalars: ["warmup_counter": 400, "milestone_index": 0]),
            metadata: [ConfigEntry(name: "row", value: .string("mnist-if")), ConfigEntry(name: "seed", value: .integer(3))])
        let path = directory.file("runs/table1/mnist-if/seed-3.checkpoint.h5")
        try checkpoint.write(to: path)
        try checkpoint.write(to: path)  // overwriting keeps exactly one file
        #expect(try directory.entries("runs/table1/mnist-if") == ["seed-3.checkpoint.h5"])

        let back = try Checkpoint.read(path)
        #expect(back.weights.map(\.name) == weights.map(\.name))
        for (a, b) in zip(back.weights, weights) {
            #expect(a.tensor.shape == b.tensor.shape && a.tensor.scalars == b.tensor.scalars, "\(a.name)")
        }
        #expect(back.buffers.map(\.name) == ["network_x.1.running_mean", "network_s.u"])
        #expect(back.buffers[1].tensor.shape == [0])
        #expect(back.optimizerTensors.first?.tensor.scalars == Array(repeating: -1, count: 16))
        #expect(back.optimizerScalars == ["step": 1234, "lr": 0.005])
        #expect(back.randomStreams == ["init": generator, "dropout": dropout])
        var restored = try #require(back.randomStreams["init"])
        #expect(restored.next() == generator.next())
        #expect(back.progress == checkpoint.progress)
        #expect(back.metadata == checkpoint.metadata)
    }

    @Test func namesThatCannotBeLinksAreRejected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("c.h5")
        let progress = TrainingProgress(epoch: 0, iteration: 0, bestAccuracy: 0, bestEpoch: 0)
        #expect(throws: RunFileError.self) {
            try Checkpoint(weights: [NamedTensor("a/b", Tensor(zeros: [1]))], progress: progress).write(to: path)
        }
        #expect(throws: RunFileError.self) {
            try Checkpoint(weights: [NamedTensor("w", Tensor(zeros: [1])), NamedTensor("w", Tensor(zeros: [1]))],
                           progress: progress).write(to: path)
        }
        var reserved = progress
        reserved.scalars["epoch"] = 3
        #expect(throws: RunFileError.self) { try Checkpoint(weights: [], progress: reserved).write(to: path) }
        #expect(try directory.entries() == [])
    }
}
