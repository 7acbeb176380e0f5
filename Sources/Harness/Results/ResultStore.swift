import Datasets
import Foundation
import HDF5

/// Reads and writes result files (`results/<table>/<row>/seed-<k>.h5`), one per run. The layout
/// (docs/results-layout.md) holds metrics only, so files stay in the tens of kilobytes and
/// `results/` can be committed:
///
/// ```
/// /                 @layout_version
/// /config           @table @row @label @profile @seed, the resolved settings, provenance,
///                   [@implementation: the code that made the run, when not fsnn]
/// /config/experiment_yaml
/// /epochs/…         1-d per epoch; layer_firing_rate is epochs × layers (@layers)
/// /rates/…          per hidden layer (absent until measured)
/// /memory/…         per training iteration (deflated)
/// /convergence/<name>/residual_mean, residual_std
/// /predictions/label, predicted   per test sample, by the last evaluated model (@epoch)
/// /final            @status @best_test_acc @best_epoch @last_test_acc @epochs_completed [@stop_*]
///                   [@host @slurm_job_id @slurm_array_job_id @slurm_array_task_id @slurm_restart_count]
/// ```
public enum ResultStore {
    /// Incremented when the layout changes incompatibly.
    public static let layoutVersion = 1

    /// Writes `record` to `path` atomically, creating parent directories.
    public static func write(_ record: RunRecord, to path: String) throws {
        try OutputFile.writeHDF5(to: path) { file in try write(record, into: file) }
    }

    /// Reads the record at `path`.
    public static func read(_ path: String) throws -> RunRecord {
        let file = try OutputFile.openHDF5(path)
        defer { try? file.close() }
        try RunFileKind.result.check(file)
        return try read(from: file)
    }

    /// `<root>/<table>/<row>/seed-<k>.h5`: where a run's result file lives.
    public static func resultPath(in root: String, table: String, row: String, seed: Int) -> String {
        "\(root)/\(table)/\(row)/seed-\(seed).h5"
    }

    /// The folder inside a row's folder that holds the reference code's result files.
    public static let referenceFolder = "reference"

    /// Every `seed-<k>.h5` in a folder `root/<table>/<row>/`, sorted. Entries of any kind are
    /// listed (a FIFO or a link loop under that name is for the reader to report); a checkpoint
    /// `seed-<k>.checkpoint.h5` is not one, when checkpoints share the results' folders. The
    /// reference code's runs, one folder deeper, are not listed (`referenceResultFiles`).
    public static func resultFiles(in root: String) -> [String] {
        seedFiles(in: root, below: "")
    }

    /// Every `seed-<k>.h5` in a folder `root/<table>/<row>/reference/`, sorted: runs of the
    /// released reference code on a row's data (tools/reference/run_table1.py), whose records
    /// name their `implementation`.
    public static func referenceResultFiles(in root: String) -> [String] {
        seedFiles(in: root, below: "/\(referenceFolder)")
    }

    /// The `seed-<k>.h5` files of `root/<table>/<row><below>/`, sorted.
    private static func seedFiles(in root: String, below: String) -> [String] {
        func folders(in path: String) -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { (try? FileKind(at: "\(path)/\($0)")) == .directory }
        }
        var files: [String] = []
        for table in folders(in: root) {
            for row in folders(in: "\(root)/\(table)") {
                let folder = "\(table)/\(row)\(below)"
                let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(folder)")) ?? []
                files += names.filter { seed(ofResultFile: $0) != nil }.map { "\(folder)/\($0)" }
            }
        }
        return files.sorted().map { "\(root)/\($0)" }
    }

    /// k of a result file's name `seed-<k>.h5`; nil for any other name.
    static func seed(ofResultFile name: String) -> Int? {
        guard name.hasPrefix("seed-"), name.hasSuffix(".h5") else { return nil }
        return Int(name.dropFirst(5).dropLast(3))
    }

    // MARK: Names

    private static let identityNames = ["table", "row", "label", "profile", "seed"]
    private static let provenanceNames = [
        "git_revision", "fsnn_version", "dataset_used", "train_samples", "test_samples", "train_selection",
        "train_class_counts", "test_selection", "test_class_counts", "data_files",
        "data_checksums", "hdf5_version", "blas_core", "blas_config", "cpu", "machine_cores", "blas_threads",
        "worker_threads", "started", "implementation",
    ]

    // MARK: Writing

    private static func write(_ record: RunRecord, into file: HDF5File) throws {
        try file.setAttribute("layout_version", layoutVersion)

        try file.createGroup("/config")
        let p = record.provenance
        let config: [(String, HDF5AttributeValue)] = [
            ("table", .string(record.table)), ("row", .string(record.row)), ("label", .string(record.label)),
            ("profile", .string(record.profile.rawValue)), ("seed", .integer(Int64(record.seed))),
        ] + record.settings.map { ($0.name, $0.value) } + [
            ("git_revision", .string(p.gitRevision)), ("fsnn_version", .string(p.fsnnVersion)),
            ("dataset_used", .string(p.datasetUsed)), ("train_samples", .integer(Int64(p.trainSamples))),
            ("test_samples", .integer(Int64(p.testSamples))),
            ("train_selection", .string(p.trainSelection.rule.rawValue)),
            ("train_class_counts", p.trainSelection.classCounts.hdf5AttributeValue),
            ("test_selection", .string(p.testSelection.rule.rawValue)),
            ("test_class_counts", p.testSelection.classCounts.hdf5AttributeValue),
            ("data_files", .strings(p.dataFiles.map(\.file))),
            ("data_checksums", .strings(p.dataFiles.map(\.checksum))), ("hdf5_version", .string(p.hdf5Version)),
            ("blas_core", .string(p.blasCore)), ("blas_config", .string(p.blasConfiguration)),
            ("machine_cores", .integer(Int64(p.machineCores))), ("blas_threads", .integer(Int64(p.blasThreads))),
            ("worker_threads", .integer(Int64(p.workerThreads))), ("started", .string(p.started)),
        ]
        for (name, value) in config { try file.setAttribute(name, value, on: "/config") }
        if let cpu = p.cpu { try file.setAttribute("cpu", .string(cpu), on: "/config") }
        if let implementation = record.implementation {
            try file.setAttribute("implementation", .string(implementation), on: "/config")
        }
        try file.write(string: record.experimentYAML, to: "/config/experiment_yaml")

        try writeEpochs(record, into: file)

        if let rates = record.rates { try write(rates, layerNames: record.layerNames, into: file) }

        try file.write(record.memory.peakBytes, to: "/memory/peak_bytes", compressed: true)
        try file.write(record.memory.transientBytes, to: "/memory/transient_bytes", compressed: true)
        try file.setAttribute("unit", "bytes", on: "/memory")

        try file.createGroup("/convergence")
        for trace in record.convergence { try write(trace, into: file) }

        if let predictions = record.predictions {
            try file.write(predictions.labels, to: "/predictions/label", compressed: true)
            try file.write(predictions.predicted, to: "/predictions/predicted", compressed: true)
            try file.setAttribute("epoch", predictions.epoch, on: "/predictions")
        }

        try file.createGroup("/final")
        try file.setAttribute("status", record.status.name, on: "/final")
        try file.setAttribute("epochs_completed", record.epochs.count, on: "/final")
        if let best = record.bestTestAccuracy {
            try file.setAttribute("best_test_acc", best.accuracy, on: "/final")
            try file.setAttribute("best_epoch", best.epoch, on: "/final")
        }
        if let last = record.lastTestAccuracy { try file.setAttribute("last_test_acc", last, on: "/final") }
        switch record.status {
        case let .failed(stop), let .interrupted(stop):
            try file.setAttribute("stop_epoch", stop.epoch, on: "/final")
            try file.setAttribute("stop_batch", stop.batch, on: "/final")
            try file.setAttribute("stop_message", stop.message, on: "/final")
        case .running, .complete:
            break
        }
        if let placement = record.placement { try write(placement, into: file) }
    }

    /// The placement attributes of `/final`: the host, and the Slurm job when there is one.
    private static func write(_ placement: RunPlacement, into file: HDF5File) throws {
        try file.setAttribute("host", placement.host, on: "/final")
        guard let job = placement.slurmJob else { return }
        try file.setAttribute("slurm_job_id", job.jobId, on: "/final")
        if let array = job.arrayJobId, let task = job.arrayTaskId {
            try file.setAttribute("slurm_array_job_id", array, on: "/final")
            try file.setAttribute("slurm_array_task_id", task, on: "/final")
        }
        try file.setAttribute("slurm_restart_count", job.restartCount, on: "/final")
    }

    private static func readPlacement(from file: HDF5File) throws -> RunPlacement? {
        guard try file.hasAttribute("host", of: "/final") else { return nil }
        var placement = RunPlacement(host: try file.attribute("host", of: "/final"))
        func optional(_ name: String) throws -> Int? {
            try file.hasAttribute(name, of: "/final") ? try file.attribute(name, of: "/final") : nil
        }
        if let id = try optional("slurm_job_id") {
            placement.slurmJob = SlurmJobIdentity(jobId: id, arrayJobId: try optional("slurm_array_job_id"),
                                                  arrayTaskId: try optional("slurm_array_task_id"),
                                                  restartCount: try optional("slurm_restart_count") ?? 0)
        }
        return placement
    }

    /// The `/rates` group (also `fsnn inspect rates --out`).
    static func write(_ rates: FiringRates, layerNames: [String], into file: HDF5File) throws {
        try file.write(layerNames, to: "/rates/layer")
        try file.write(rates.neurons, to: "/rates/neurons")
        try file.write(rates.rates, to: "/rates/rate")
        try file.write(rates.synapticOperations, to: "/rates/sops_per_sample")
        try file.setAttribute("epoch", rates.epoch, on: "/rates")
        try file.setAttribute("samples", rates.samples, on: "/rates")
        try file.setAttribute("time_steps", rates.timeSteps, on: "/rates")
        try file.setAttribute("overall_rate", rates.overallRate, on: "/rates")
        try file.setAttribute("total_sops_per_sample", rates.totalSynapticOperations, on: "/rates")
    }

    /// The `/convergence/<name>` group (also `fsnn inspect convergence --out`).
    static func write(_ trace: ConvergenceTrace, into file: HDF5File) throws {
        let group = "/convergence/\(try linkName(trace.name, file: file.path))"
        try file.write(trace.residualMean, to: "\(group)/residual_mean")
        try file.write(trace.residualStd, to: "\(group)/residual_std")
        try file.setAttribute("epoch", trace.epoch, on: group)
        try file.setAttribute("samples", trace.samples, on: group)
    }

    private static func writeEpochs(_ record: RunRecord, into file: HDF5File) throws {
        let epochs = record.epochs
        try file.createGroup("/epochs")
        try file.setAttribute("layers", record.layerNames, on: "/epochs")
        try file.write(epochs.indices.map { $0 + 1 }, to: "/epochs/epoch")
        let columns: [(String, (EpochSummary) -> Double)] = [
            ("train_loss", \.trainLoss), ("train_acc", \.trainAccuracy), ("test_loss", \.testLoss),
            ("test_acc", \.testAccuracy), ("lr", \.learningRate), ("seconds", \.seconds),
            ("solver_iterations", \.solverIterations), ("solver_relative_residual_mean", \.solverResidualMean),
            ("solver_relative_residual_max", \.solverResidualMax), ("gradient_norm_median", \.gradientNormMedian),
            ("gradient_norm_max", \.gradientNormMax), ("mean_firing_rate", \.firingRate),
        ]
        for (name, value) in columns { try file.write(epochs.map(value), to: "/epochs/\(name)") }
        let layers = record.layerNames.count
        for (index, epoch) in epochs.enumerated() where epoch.layerFiringRates.count != layers {
            throw RunFileError.invalidLayout(
                file: file.path, object: "/epochs/layer_firing_rate",
                reason: "epoch \(index + 1) has \(epoch.layerFiringRates.count) layer rates for \(layers) layers")
        }
        try file.write(epochs.flatMap(\.layerFiringRates), shape: [epochs.count, layers], to: "/epochs/layer_firing_rate")
    }

    /// A name used as one HDF5 path component.
    static func linkName(_ name: String, file: String) throws -> String {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw RunFileError.invalidName(file: file, name: name, reason: "must be non-empty, without '/', and not '.' or '..'")
        }
        return name
    }

    // MARK: Reading

    private static func read(from file: HDF5File) throws -> RunRecord {
        let version = try file.attribute("layout_version", as: Int.self)
        guard version == layoutVersion else {
            throw RunFileError.invalidLayout(file: file.path, object: "/@layout_version",
                                             reason: "layout \(version), this fsnn reads \(layoutVersion)")
        }
        func config<T: HDF5AttributeConvertible>(_ name: String, _: T.Type = T.self) throws -> T {
            try file.attribute(name, of: "/config", as: T.self)
        }
        /// The `<split>_selection` and `<split>_class_counts` attributes; a file written before
        /// they were recorded evaluated the first samples in file order.
        func selection(_ split: String) throws -> SampleSelection {
            guard try file.hasAttribute("\(split)_selection", of: "/config") else { return .unrecorded }
            let name: String = try config("\(split)_selection")
            guard let rule = SampleSelection.Rule(rawValue: name) else {
                throw RunFileError.invalidLayout(file: file.path, object: "/config@\(split)_selection",
                                                 reason: "unknown selection '\(name)'")
            }
            return SampleSelection(rule: rule, classCounts: try config("\(split)_class_counts"))
        }
        let profileName: String = try config("profile")
        guard let profile = Profile(rawValue: profileName) else {
            throw RunFileError.invalidLayout(file: file.path, object: "/config@profile", reason: "unknown profile '\(profileName)'")
        }
        let files: [String] = try config("data_files"), checksums: [String] = try config("data_checksums")
        guard files.count == checksums.count else {
            throw RunFileError.invalidLayout(file: file.path, object: "/config@data_checksums",
                                             reason: "\(checksums.count) checksums for \(files.count) files")
        }
        var provenance = Provenance(gitRevision: try config("git_revision"), fsnnVersion: try config("fsnn_version"),
                                    datasetUsed: try config("dataset_used"), trainSamples: try config("train_samples"),
                                    testSamples: try config("test_samples"),
                                    trainSelection: try selection("train"), testSelection: try selection("test"),
                                    dataFiles: zip(files, checksums).map { DataFileChecksum(file: $0, checksum: $1) })
        provenance.hdf5Version = try config("hdf5_version")
        provenance.blasCore = try config("blas_core")
        provenance.blasConfiguration = try config("blas_config")
        provenance.cpu = try file.hasAttribute("cpu", of: "/config") ? try config("cpu") : nil
        provenance.machineCores = try config("machine_cores")
        provenance.blasThreads = try config("blas_threads")
        provenance.workerThreads = try config("worker_threads")
        provenance.started = try config("started")

        let reserved = Set(identityNames + provenanceNames)
        let settings = try file.attributes(of: "/config").filter { !reserved.contains($0.name) }
            .map { ConfigEntry(name: $0.name, value: $0.value) }
        let layerNames: [String] = try file.attribute("layers", of: "/epochs")
        var record = RunRecord(table: try config("table"), row: try config("row"), label: try config("label"),
                               profile: profile, seed: try config("seed"), settings: settings,
                               experimentYAML: try file.readString("/config/experiment_yaml"),
                               provenance: provenance, layerNames: layerNames)
        record.epochs = try readEpochs(from: file, layers: layerNames.count)
        record.rates = try readRates(from: file, layers: layerNames.count)
        record.memory = MemoryRecord(peakBytes: try file.read("/memory/peak_bytes", as: Int.self).values,
                                     transientBytes: try file.read("/memory/transient_bytes", as: Int.self).values)
        for name in try file.members(of: "/convergence") {
            let group = "/convergence/\(name)"
            record.convergence.append(ConvergenceTrace(
                name: name, epoch: try file.attribute("epoch", of: group), samples: try file.attribute("samples", of: group),
                residualMean: try file.read("\(group)/residual_mean", as: Double.self).values,
                residualStd: try file.read("\(group)/residual_std", as: Double.self).values))
        }
        record.predictions = try readPredictions(from: file)
        record.status = try readStatus(from: file)
        record.placement = try readPlacement(from: file)
        record.implementation = try file.hasAttribute("implementation", of: "/config") ? try config("implementation") : nil
        return record
    }

    private static func readEpochs(from file: HDF5File, layers: Int) throws -> [EpochSummary] {
        let testAccuracy = try file.read("/epochs/test_acc", as: Double.self).values
        let count = testAccuracy.count
        /// One value per epoch; a column recorded only by newer files (`optional`) reads as NaN
        /// where it is absent: the gradient norms, in older files and the reference runner's.
        func column(_ name: String, optional: Bool = false) throws -> [Double] {
            if optional, try !file.contains("/epochs/\(name)") { return [Double](repeating: .nan, count: count) }
            let values = try file.read("/epochs/\(name)", as: Double.self).values
            guard values.count == count else {
                throw RunFileError.invalidLayout(file: file.path, object: "/epochs/\(name)",
                                                 reason: "\(values.count) epochs, test_acc has \(count)")
            }
            return values
        }
        let columns = try ["train_loss", "train_acc", "test_loss", "lr", "seconds", "solver_iterations",
                           "solver_relative_residual_mean", "solver_relative_residual_max", "mean_firing_rate"]
            .map { try column($0) }
        let gradientNorms = try ["gradient_norm_median", "gradient_norm_max"].map { try column($0, optional: true) }
        let layerRates = try file.read("/epochs/layer_firing_rate", as: Double.self)
        guard layerRates.shape == [count, layers] else {
            throw RunFileError.invalidLayout(file: file.path, object: "/epochs/layer_firing_rate",
                                             reason: "shape \(layerRates.shape), expected [\(count), \(layers)]")
        }
        return (0..<count).map { i in
            EpochSummary(trainLoss: columns[0][i], trainAccuracy: columns[1][i], testLoss: columns[2][i],
                         testAccuracy: testAccuracy[i], learningRate: columns[3][i], seconds: columns[4][i],
                         solverIterations: columns[5][i], solverResidualMean: columns[6][i],
                         solverResidualMax: columns[7][i], gradientNormMedian: gradientNorms[0][i],
                         gradientNormMax: gradientNorms[1][i], firingRate: columns[8][i],
                         layerFiringRates: Array(layerRates.values[(i * layers)..<((i + 1) * layers)]))
        }
    }

    private static func readRates(from file: HDF5File, layers: Int) throws -> FiringRates? {
        guard try file.contains("/rates") else { return nil }
        let rates = FiringRates(epoch: try file.attribute("epoch", of: "/rates"),
                                samples: try file.attribute("samples", of: "/rates"),
                                timeSteps: try file.attribute("time_steps", of: "/rates"),
                                neurons: try file.read("/rates/neurons", as: Int.self).values,
                                rates: try file.read("/rates/rate", as: Double.self).values,
                                synapticOperations: try file.read("/rates/sops_per_sample", as: Double.self).values)
        guard rates.neurons.count == layers, rates.rates.count == layers, rates.synapticOperations.count == layers else {
            throw RunFileError.invalidLayout(file: file.path, object: "/rates", reason: "per-layer arrays must have \(layers) entries")
        }
        return rates
    }

    private static func readPredictions(from file: HDF5File) throws -> TestPredictions? {
        guard try file.contains("/predictions") else { return nil }
        let predictions = TestPredictions(epoch: try file.attribute("epoch", of: "/predictions"),
                                          labels: try file.read("/predictions/label", as: Int.self).values,
                                          predicted: try file.read("/predictions/predicted", as: Int.self).values)
        guard predictions.labels.count == predictions.predicted.count else {
            throw RunFileError.invalidLayout(file: file.path, object: "/predictions",
                                             reason: "\(predictions.predicted.count) predictions for \(predictions.labels.count) labels")
        }
        return predictions
    }

    private static func readStatus(from file: HDF5File) throws -> RunStatus {
        let name: String = try file.attribute("status", of: "/final")
        func stop() throws -> StopPoint {
            StopPoint(epoch: try file.attribute("stop_epoch", of: "/final"), batch: try file.attribute("stop_batch", of: "/final"),
                      message: try file.attribute("stop_message", of: "/final"))
        }
        switch name {
        case "running": return .running
        case "complete": return .complete
        case "failed": return .failed(try stop())
        case "interrupted": return .interrupted(try stop())
        default:
            throw RunFileError.invalidLayout(file: file.path, object: "/final@status", reason: "unknown status '\(name)'")
        }
    }
}
