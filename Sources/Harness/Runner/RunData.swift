import Datasets
import FSNN

/// Whether a run's data is under the data root, and which dataset it reads.
public enum DataAvailability: Equatable, Sendable {
    /// The row's dataset, or its `dataset_fallback` when the dataset itself is not found.
    case available(DatasetName)
    /// Neither is usable: a one-line summary, and details naming every place that was searched.
    case missing(summary: String, details: String)

    /// The dataset a row reads under `root`: its own when any of its files is there, else its
    /// fallback. Only a dataset wholly absent is missing; one that is partly present or broken (a
    /// file missing, a dangling link, a folder where a file belongs) is the row's to read, so that
    /// the run fails naming the file, and is not replaced by the fallback.
    public static func of(_ run: ExperimentRun, in root: DataRoot) -> DataAvailability {
        guard let error = absence(of: run.dataset, in: root) else { return .available(run.dataset) }
        let summary = "\(run.dataset.rawValue) not found under \(root.path)"
        guard let fallback = run.datasetFallback else { return .missing(summary: summary, details: error.description) }
        guard let fallbackError = absence(of: fallback, in: root) else { return .available(fallback) }
        return .missing(summary: summary + ", nor its fallback \(fallback.rawValue)",
                        details: "\(error.description)\nand its fallback: \(fallbackError.description)")
    }

    /// The `missingDataset` error when none of the dataset's files is under `root`.
    private static func absence(of dataset: DatasetName, in root: DataRoot) -> DatasetError? {
        do {
            _ = try DatasetCatalog.locate(dataset, in: root)
        } catch let error {
            if case .missingDataset = error { return error }
        }
        return nil
    }
}

/// Datasets and their checksums, loaded once per process while a runner goes through its runs
/// (rows of a table mostly share one dataset). Reading stops with `DatasetError.interrupted` when
/// `interrupt` is set.
final class RunData {
    let root: DataRoot
    private let interrupt: InterruptFlag
    private var loaded: (name: DatasetName, options: DatasetOptions, dataset: Dataset)?
    private var checksums: [DatasetName: [DataFileChecksum]] = [:]

    init(root: DataRoot, interrupt: InterruptFlag) {
        self.root = root
        self.interrupt = interrupt
    }

    /// `name` read with `options`; the previous dataset is reused when both match.
    func dataset(_ name: DatasetName, options: DatasetOptions) throws -> Dataset {
        if let loaded, loaded.name == name, loaded.options == options { return loaded.dataset }
        loaded = nil
        let dataset = try DatasetCatalog.load(name, from: root, options: options,
                                              interruptionCheck: { [interrupt] in interrupt.isSet })
        loaded = (name, options, dataset)
        return dataset
    }

    /// The checksums of the files `name` is read from, as result files store them (`md5:<hex>`).
    func checksums(of name: DatasetName) throws -> [DataFileChecksum] {
        if let known = checksums[name] { return known }
        let computed = try DatasetCatalog.checksums(of: name, in: root, interruptionCheck: { [interrupt] in interrupt.isSet }).map {
            DataFileChecksum(file: $0.path, checksum: "md5:\($0.md5)")
        }
        checksums[name] = computed
        return computed
    }
}
