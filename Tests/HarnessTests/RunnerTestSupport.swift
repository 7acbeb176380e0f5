import Datasets
import Foundation
import Harness
import Tensor
import TestSupport
import Testing

/// Every test that trains: one suite, run serially, because OpenBLAS's thread count and
/// `Parallel.workerCount` are process-wide and the exact-resume tests pin both to 1. The nested
/// suites live in RunnerTests.swift, ResumeTests.swift and InspectionTests.swift.
@Suite(.serialized) struct RunnerTests {}

/// A data root with a generated Fashion-MNIST (real IDX format, uncompressed): `train` and `test`
/// random 28×28 images whose labels cycle through 0…9.
struct GeneratedData {
    let directory: TemporaryDirectory
    var root: DataRoot { DataRoot(path: directory.file("data")) }
    var folder: String { directory.file("data/fashion-mnist") }

    init(train: Int = 48, test: Int = 32) throws {
        directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var generator = RandomGenerator(seed: 20_211_206)
        for (prefix, count) in [("train", train), ("t10k", test)] {
            let pixels = (0..<(count * 784)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            try Self.idx(type: 3, dimensions: [count, 28, 28], bytes: pixels)
                .write(to: URL(fileURLWithPath: "\(folder)/\(prefix)-images-idx3-ubyte"))
            try Self.idx(type: 1, dimensions: [count], bytes: (0..<count).map { UInt8($0 % 10) })
                .write(to: URL(fileURLWithPath: "\(folder)/\(prefix)-labels-idx1-ubyte"))
        }
    }

    /// An IDX file of unsigned bytes: magic 0 0 0x08 rank, big-endian 32-bit extents, data.
    static func idx(type rank: UInt8, dimensions: [Int], bytes: [UInt8]) -> Data {
        var data = Data([0, 0, 0x08, rank])
        for extent in dimensions { data.append(contentsOf: withUnsafeBytes(of: UInt32(extent).bigEndian, Array.init)) }
        data.append(contentsOf: bytes)
        return data
    }
}

/// An experiment file on the generated Fashion-MNIST: F400 with T = 3, batches of 8, three
/// training batches and one test batch per epoch, two epochs. `defaults` lines are added to (and
/// override) the file's defaults; each row is `id` plus its own setting lines.
func tinyExperiment(table: String = "tiny", defaults: [String] = [], rows: [(id: String, lines: [String])]) -> String {
    let base = ["neuron: if", "time_steps: 3", "dataset: fashion-mnist", "model: fmnist_f400", "epochs: 2",
                "batch_size: 8", "test_batch_size: 8", "train_batches: 3", "test_batches: 1", "seeds: [0]"]
    let overridden = Set(defaults.map { $0.split(separator: ":")[0] })
    let settings = base.filter { !overridden.contains($0.split(separator: ":")[0]) } + defaults
    var text = """
        table: \(table)
        title: "Tiny table"
        kind: accuracy
        defaults:

        """
    text += settings.map { "  \($0)\n" }.joined()
    text += "profiles:\n  paper: {}\n  quick: {}\n  smoke: {epochs: 1}\nrows:\n"
    for (id, lines) in rows {
        text += "  - id: \(id)\n" + lines.map { "    \($0)\n" }.joined()
    }
    return text
}

/// A temporary workspace for runner tests: generated data, an experiment file, results and runs.
struct RunnerFixture {
    let data: GeneratedData
    var experimentsDirectory: String { data.directory.file("experiments") }
    var results: String { data.directory.file("results") }
    var runs: String { data.directory.file("runs") }

    init() throws {
        data = try GeneratedData()
        try FileManager.default.createDirectory(atPath: experimentsDirectory, withIntermediateDirectories: true)
    }

    /// Writes `text` as `experiments/<name>` and reads it back validated.
    func experiment(_ text: String, name: String = "tiny.yaml") throws -> Experiment {
        let path = "\(experimentsDirectory)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try Experiment(contentsOf: path)
    }

    func options(_ profile: Profile = .quick, resume: Bool = false, overwrite: Bool = false,
                 results: String? = nil, runs: String? = nil) -> RunnerOptions {
        var options = RunnerOptions(profile: profile, dataRoot: data.root)
        options.resultsRoot = results ?? self.results
        options.checkpointsRoot = runs ?? self.runs
        options.resume = resume
        options.overwrite = overwrite
        options.gitRevision = "test-revision"
        return options
    }

    func runner(_ experiment: Experiment, _ options: RunnerOptions, interrupt: InterruptFlag = InterruptFlag())
        -> ExperimentRunner {
        ExperimentRunner(experiment: experiment, options: options, interrupt: interrupt)
    }

    func resultPath(_ row: String, seed: Int = 0, table: String = "tiny", results: String? = nil) -> String {
        "\(results ?? self.results)/\(table)/\(row)/seed-\(seed).h5"
    }

    func checkpointPath(_ row: String, seed: Int = 0, table: String = "tiny", runs: String? = nil) -> String {
        "\(runs ?? self.runs)/\(table)/\(row)/seed-\(seed).checkpoint.h5"
    }
}

/// Runs `body` with one OpenBLAS thread and one worker thread (bit-reproducible floating-point
/// order), restoring both counts afterwards.
func withOneThread<R>(_ body: () throws -> R) rethrows -> R {
    try Parallel.withSettings(workers: 1, blasThreads: 1, body)
}

extension RunReport.Outcome {
    var status: RunStatus? {
        if case let .finished(status) = self { return status }
        return nil
    }
}
