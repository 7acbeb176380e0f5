import Foundation
import HDF5
import Harness
import TestSupport
import Testing

/// `tools/reference/run_table1.py --from-log` (numpy and h5py only: Debian's python3-h5py from
/// `make setup`) on work folders as a run of the released code leaves them: the script's log.txt,
/// the wrapper's epoch-seconds.txt and run.json. The result file it writes is read back by
/// `ResultStore.read` field by field; its settings are the row's paper settings in fsnn's own
/// experiment file; malformed logs are refused, naming the line, and leave no file.
@Suite struct ReferenceRunTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("tools/reference/run_table1.py").path
    static let header = "Learning Rate\tTrain Loss\tValid Loss\tTrain Acc.\tValid Acc.\t\n"

    /// The values of epoch e (1-based) as the released Logger prints them (`%.6f`, a tab after each).
    static func logLine(_ e: Int) -> String {
        let lr = 0.05 * pow(0.1, Double([30, 60, 90].filter { e > $0 }.count))
        let values = [lr, 1.0 / Double(e + 1), 0.5 / Double(e + 2), 80 + Double(e) / 7, 85 + Double(e % 13) / 3]
        return values.map { String(format: "%.6f\t", $0) }.joined() + "\n"
    }

    /// A run's facts as the wrapper records them (run.json); `stop` as it records a failed or interrupted run.
    static func facts(row: String, seed: Int, epochs: Int, stop: [String: Any]? = nil) -> [String: Any] {
        var facts: [String: Any] = [
            "format": 1, "row": row, "seed": seed, "epochs": epochs, "threads": 1,
            "implementation": "pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu)",
            "git_revision": "fe4491912345-dirty", "fsnn_version": "0.1.0", "blas_core": "mkl",
            "blas_config": "PyTorch 2.13.0+cpu, Intel(R) oneAPI Math Kernel Library, CPU capability AVX2",
            "cpu": "Test CPU (family 25, model 17; AVX2)", "machine_cores": 2, "started": "2026-12-07T09:00:00Z",
            "data": [
                "train": ["files": ["fashion-mnist/train-images-idx3-ubyte.gz", "fashion-mnist/train-labels-idx1-ubyte.gz"],
                          "checksums": ["md5:f4a8712d7a061bf5bd6d2ca38dc4d50a", "md5:9018921c3c673c538a1fc5bad174d6f9"],
                          "class_counts": Array(repeating: 6_000, count: 10)],
                "test": ["files": ["fashion-mnist/t10k-images-idx3-ubyte.gz", "fashion-mnist/t10k-labels-idx1-ubyte.gz"],
                         "checksums": ["md5:8181f5470baa50b63fa0f6fddb340f0a", "md5:15d484375f8d13e6eb1aabb0c3f46965"],
                         "class_counts": [1_000, 999, 1_001, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000]],
            ],
        ]
        facts["stop"] = stop
        return facts
    }

    /// A work folder holding `log` (the text of log.txt), `seconds` (one line each) and `facts`.
    static func workFolder(in directory: TemporaryDirectory, log: String, seconds: [Double], facts: [String: Any]) throws -> String {
        let work = directory.file("runs/work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try log.write(toFile: "\(work)/log.txt", atomically: true, encoding: .utf8)
        try seconds.map { "\($0)\n" }.joined().write(toFile: "\(work)/epoch-seconds.txt", atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: facts, options: [.sortedKeys])
            .write(to: URL(fileURLWithPath: "\(work)/run.json"))
        return "\(work)/log.txt"
    }

    /// `run_table1.py --from-log LOG --results RESULTS`: exit status and output.
    static func fromLog(_ log: String, results: String) throws -> (status: Int32, output: String) {
        try #require(try runTool("python3", [script, "--from-log", log, "--results", results]), "python3 is not installed (make setup)")
    }

    /// A paper-protocol run of 100 epochs reads back with every field as written, and its settings
    /// are those of the row at `paper` in experiments/table1_mnist_fmnist.yaml.
    @Test(arguments: ["fmnist-if", "fmnist-lif", "mnist-if", "mnist-lif"])
    func aCompleteRunReadsBackFieldByField(row: String) throws {
        let directory = try TemporaryDirectory()
        let seconds = (1...100).map { 20 + Double($0) / 8 }
        let log = try Self.workFolder(in: directory, log: Self.header + (1...100).map(Self.logLine).joined(),
                                      seconds: seconds, facts: Self.facts(row: row, seed: 2, epochs: 100))
        let results = directory.file("results")
        let (status, output) = try Self.fromLog(log, results: results)
        try #require(status == 0, "\(output)")
        let path = "\(results)/table1/\(row)/reference/seed-2.h5"
        #expect(ResultStore.referenceResultFiles(in: results) == [path])
        #expect(ResultStore.resultFiles(in: results).isEmpty, "fsnn's own listing leaves the reference out")
        let record = try ResultStore.read(path)

        let experiment = try Experiment(contentsOf: Self.root.appendingPathComponent("experiments/table1_mnist_fmnist.yaml").path)
        let run = try #require(experiment.run(row, profile: .paper))
        #expect(record.table == "table1" && record.row == row && record.label == run.label)
        #expect(record.profile == .paper && record.seed == 2)
        #expect(record.implementation == "pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu)")
        let fsnn = Dictionary(uniqueKeysWithValues: run.settingAttributes.map { ($0.name, $0.value) })
        for setting in record.settings {
            #expect(fsnn[setting.name] == setting.value, "\(row): \(setting.name) is \(setting.value), fsnn's paper run has \(String(describing: fsnn[setting.name]))")
        }
        // What fsnn sets and the released scripts have no such setting for (or fix in their code).
        let fsnnOnly = Set(fsnn.keys).subtracting(record.settings.map(\.name))
        #expect(fsnnOnly == ["anderson_memory", "surrogate", "surrogate_parameter", "detach_reset", "quirks", "seeds"])
        #expect(record.settings.map(\.name) == run.settingAttributes.map(\.name).filter { !fsnnOnly.contains($0) },
                "fsnn's order")

        let p = record.provenance
        let dataset = row.hasPrefix("fmnist") ? "fashion-mnist" : "mnist"
        #expect(p.gitRevision == "fe4491912345-dirty" && p.fsnnVersion == "0.1.0" && p.datasetUsed == dataset)
        #expect(p.trainSamples == 60_000 && p.testSamples == 10_000)
        #expect(p.trainSelection == SampleSelection(rule: .all, classCounts: Array(repeating: 6_000, count: 10)))
        #expect(p.testSelection == SampleSelection(rule: .all, classCounts: [1_000, 999, 1_001, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000]))
        #expect(p.dataFiles.map(\.file) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                                            "t10k-labels-idx1-ubyte.gz"].map { "fashion-mnist/\($0)" })
        #expect(p.dataFiles.map(\.checksum) == ["md5:f4a8712d7a061bf5bd6d2ca38dc4d50a", "md5:9018921c3c673c538a1fc5bad174d6f9",
                                                "md5:8181f5470baa50b63fa0f6fddb340f0a", "md5:15d484375f8d13e6eb1aabb0c3f46965"])
        #expect(!p.hdf5Version.isEmpty && p.blasCore == "mkl" && p.blasConfiguration.hasPrefix("PyTorch 2.13.0+cpu"))
        #expect(p.cpu == "Test CPU (family 25, model 17; AVX2)" && p.machineCores == 2)
        #expect(p.blasThreads == 1 && p.workerThreads == 1 && p.started == "2026-12-07T09:00:00Z")
        let script = row.hasPrefix("fmnist") ? "fashionmnist_fc.py" : "mnist_conv.py"
        #expect(record.experimentYAML.contains("script: \(script)\n"))
        #expect(record.experimentYAML.contains(#""--leaky", "\#(row.hasSuffix("-if") ? "1.0" : "0.95")", "--manualSeed", "2", "--epochs", "100""#))
        #expect(!record.experimentYAML.contains(directory.path), "no path of this machine")

        #expect(record.layerNames == ["hidden"])
        #expect(record.epochs.count == 100)
        for (index, epoch) in record.epochs.enumerated() {
            let logged = Self.logLine(index + 1).split(separator: "\t").dropLast().map { Double($0)! }
            #expect([epoch.learningRate, epoch.trainLoss, epoch.testLoss, epoch.trainAccuracy, epoch.testAccuracy] == logged)
            #expect(epoch.seconds == seconds[index])
            #expect([epoch.solverIterations, epoch.solverResidualMean, epoch.solverResidualMax, epoch.firingRate]
                .allSatisfy(\.isNaN) && epoch.layerFiringRates.count == 1 && epoch.layerFiringRates[0].isNaN)
        }
        #expect(record.epochs[29].learningRate == 0.05 && record.epochs[30].learningRate == 0.005)
        let accuracies = record.epochs.map(\.testAccuracy)
        #expect(record.bestTestAccuracy?.accuracy == accuracies.max())
        #expect(record.bestTestAccuracy?.epoch == accuracies.firstIndex(of: accuracies.max()!)! + 1)
        #expect(record.rates == nil && record.memory == MemoryRecord() && record.convergence.isEmpty && record.predictions == nil)
        #expect(record.status == .complete)
        #expect(record.placement?.host.isEmpty == false && record.placement?.slurmJob == nil)

        // Integrity as fsnn writes it: Fletcher32 on numeric data, the string compact with its SHA-256.
        let file = try HDF5File.open(path)
        #expect(try file.hasAttribute("sha256", of: "/config/experiment_yaml"))
        #expect(try file.attribute("best_epoch", of: "/final", as: Int.self) == record.bestTestAccuracy?.epoch)
        try file.close()
        if let (status, dump) = try runTool("h5dump", ["-p", "-H", path]) {
            #expect(status == 0, "\(dump)")
            #expect(dump.components(separatedBy: "CHECKSUM FLETCHER32").count - 1 == 12, "the 12 /epochs datasets")
            #expect(dump.contains("COMPACT"))
        }
    }

    /// A short run is a smoke run; an unfinished one is `running`, or as run.json says it stopped.
    @Test func statusFollowsTheLogAndTheRecordedStop() throws {
        let cases: [(epochs: Int, logged: Int, stop: [String: Any]?, expected: RunStatus, profile: Profile)] = [
            (2, 2, nil, .complete, .smoke),
            (100, 2, nil, .running, .paper),
            (100, 0, nil, .running, .paper),
            (100, 2, ["status": "interrupted", "epoch": 3, "batch": 17, "message": "stopped by SIGTERM"],
             .interrupted(StopPoint(epoch: 3, batch: 17, message: "stopped by SIGTERM")), .paper),
            (100, 1, ["status": "failed", "epoch": 2, "batch": 468, "message": "RuntimeError: boom (evaluation)"],
             .failed(StopPoint(epoch: 2, batch: 468, message: "RuntimeError: boom (evaluation)")), .paper),
        ]
        for item in cases {
            let directory = try TemporaryDirectory()
            let log = try Self.workFolder(in: directory, log: Self.header + (0..<item.logged).map { Self.logLine($0 + 1) }.joined(),
                                          seconds: (0..<item.logged).map { Double($0) + 0.5 },
                                          facts: Self.facts(row: "fmnist-lif", seed: 0, epochs: item.epochs, stop: item.stop))
            let results = directory.file("results")
            let (status, output) = try Self.fromLog(log, results: results)
            try #require(status == 0, "\(output)")
            let record = try ResultStore.read("\(results)/table1/fmnist-lif/reference/seed-0.h5")
            #expect(record.status == item.expected && record.profile == item.profile)
            #expect(record.epochs.count == item.logged && record.setting("epochs") == .integer(Int64(item.epochs)))
        }
    }

    /// Each malformed work folder is refused with the file, line and field named; a result file
    /// already there is left as it was.
    @Test func malformedLogsAreRefusedAndLeaveTheResultAlone() throws {
        let good = Self.header + Self.logLine(1) + Self.logLine(2)
        let cases: [(log: String, seconds: Int, epochs: Int, message: String)] = [
            ("Learning Rate\tTrain Loss\t\n" + Self.logLine(1), 1, 2, "log.txt:1: the header is"),
            (Self.header + "0.050000\tabc\t0.4\t80.0\t81.0\t\n", 1, 2, "log.txt:2: Train Loss is 'abc', not a number"),
            (Self.header + Self.logLine(1) + "0.050000\t0.5\t0.4\t80.0\t100.5\t\n", 2, 2,
             "log.txt:3: Valid Acc. is 100.5, expected a percentage in [0, 100]"),
            (Self.header + "0.050000\t0.5\t0.4\t80.0\n", 1, 2, "log.txt:2: 3 tab-terminated fields, expected 5"),
            (Self.header + "-0.050000\t0.5\t0.4\t80.0\t81.0\t\n", 1, 2, "log.txt:2: Learning Rate is -0.05, expected positive"),
            (String(good.dropLast()), 2, 2, "log.txt:3: the last line has no newline"),
            ("", 0, 2, ""),  // an empty log is a run that had not begun its log: no refusal
            (good, 1, 2, "epoch-seconds.txt: 1 epoch times for the 2 epochs"),
            (good, 2, 1, "log.txt: 2 epochs logged, the run had 1"),
        ]
        for item in cases {
            let directory = try TemporaryDirectory()
            let results = directory.file("results")
            let path = "\(results)/table1/fmnist-if/reference/seed-0.h5"
            let previous = try Self.workFolder(in: directory, log: Self.header + Self.logLine(1), seconds: [1],
                                               facts: Self.facts(row: "fmnist-if", seed: 0, epochs: 3))
            try #require(try Self.fromLog(previous, results: results).status == 0)
            let before = try ResultStore.read(path)
            let log = try Self.workFolder(in: directory, log: item.log, seconds: (0..<item.seconds).map(Double.init),
                                          facts: Self.facts(row: "fmnist-if", seed: 0, epochs: item.epochs))
            let (status, output) = try Self.fromLog(log, results: results)
            if item.message.isEmpty {
                #expect(status == 0, "\(output)")
                #expect(try ResultStore.read(path).epochs.isEmpty)
                continue
            }
            #expect(status == 1 && output.contains(item.message), "\(output)")
            #expect(!output.contains("Traceback"), "a one-line error, not a crash: \(output)")
            #expect(try ResultStore.read(path) == before)
            #expect(try directory.entries("results/table1/fmnist-if/reference") == ["seed-0.h5"], "no temporary left")
        }
    }

    /// run.json is checked before anything is written: a missing key or a row of no Table 1 is named.
    @Test func malformedRunFactsAreRefused() throws {
        var missing = Self.facts(row: "fmnist-if", seed: 0, epochs: 1)
        missing["implementation"] = nil
        var bool = Self.facts(row: "fmnist-if", seed: 0, epochs: 1)
        bool["threads"] = true
        for (facts, message) in [(missing, "'implementation' is None, not of type str"), (bool, "'threads' is True, not of type int"),
                                 (Self.facts(row: "cifar10-alexnet-if-t30", seed: 0, epochs: 1), "is no Table 1 row")] {
            let directory = try TemporaryDirectory()
            let log = try Self.workFolder(in: directory, log: Self.header + Self.logLine(1), seconds: [1], facts: facts)
            let (status, output) = try Self.fromLog(log, results: directory.file("results"))
            #expect(status == 1 && output.contains("run.json: ") && output.contains(message), "\(output)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("results")))
        }
    }
}
