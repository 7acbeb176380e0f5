import Datasets
import FSNN
import HDF5

/// One row of an experiment file resolved for one profile: everything the runner needs to train
/// and evaluate it once per seed. Built only by `Experiment`, so every value has been validated.
/// The run settings read as its own members (`run.dataset`, `run.seeds`, `run.trainSubset`).
@dynamicMemberLookup
public struct ExperimentRun: Equatable, Sendable {
    public var table: String
    public var row: String
    public var label: String
    public var profile: Profile
    public var kind: ReportKind

    /// The data, seeds and records (`RunSettings.data`, `RunSettings.records`).
    public var settings: RunSettings
    public var training: TrainingConfiguration

    public var paper: PaperResult?
    /// For an STBP row, the IDE row it mirrors.
    public var twin: String?
    /// The row of another file whose runs this row's are at this profile: the runner trains
    /// nothing for it, the report reads that row's result files.
    public var sameRunAs: SameRun?

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<RunSettings, Value>) -> Value {
        get { settings[keyPath: keyPath] }
        set { settings[keyPath: keyPath] = newValue }
    }

    /// Residual traces to record, if the file asks.
    public var convergence: ConvergenceRecording? { settings.convergence }

    /// The subsets and batch caps of the row, as the session applies them.
    public var dataLimits: DataLimits { settings.dataLimits }

    var resolved: ResolvedSettings { ResolvedSettings(run: settings, training: training) }

    /// `<root>/<table>/<row>/seed-<k>.h5`: the run's metrics (small, committed).
    public func resultPath(in root: String, seed: Int) -> String {
        ResultStore.resultPath(in: root, table: table, row: row, seed: seed)
    }

    /// `<root>/<table>/<row>/seed-<k>.checkpoint.h5`: weights and training state (large, under
    /// the git-ignored `runs/`).
    public func checkpointPath(in root: String, seed: Int) -> String {
        "\(root)/\(table)/\(row)/seed-\(seed).checkpoint.h5"
    }

    /// The resolved settings as `/config` attributes (`SettingsSchema.attributes`): named by
    /// their YAML keys, unset optional settings left out, IF neurons with `lambda` 1.
    public var settingAttributes: [(name: String, value: HDF5AttributeValue)] {
        SettingsSchema.attributes(of: resolved)
    }
}
