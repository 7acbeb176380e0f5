import Datasets
import FSNN

/// One experiment file (`experiments/*.yaml`): a paper table or figure as rows of runs.
///
/// A row's settings resolve as `defaults ⊕ profiles[p] ⊕ row ⊕ row.profiles[p]` (later wins,
/// field by field; lists replace). The file's text is kept in every result file.
public struct ExperimentFile: Decodable, Equatable, Sendable {
    /// Results go to `results/<table>/<row>/seed-<k>.h5`; a lower-case name such as `table1`.
    public var table: String
    /// The section heading in the report.
    public var title: String
    /// How the report presents the rows.
    public var kind: ReportKind
    /// Text printed under the heading (sources, caveats).
    public var notes: String?
    /// The networks the paper's table or figure used, when the file adds others (Table 5 adds
    /// the single-layer networks to the paper's AlexNet-F): rows on other networks are shown as
    /// substitutes, and no verdict on the paper's claims rests on them. Absent: every row's
    /// network is the paper's.
    public var paperModels: [ModelName]?
    public var defaults: SettingsPatch
    public var profiles: ProfilePatches
    public var rows: [ExperimentRow]

    private enum CodingKeys: String, CodingKey {
        case table, title, kind, notes, defaults, profiles, rows
        case paperModels = "paper_models"
    }

    /// Whether `model` is one the paper's table or figure used.
    public func isPaperModel(_ model: ModelName) -> Bool { paperModels?.contains(model) ?? true }

    /// The table's name as the paper gives it: the title before " — " ("Table 1").
    public var tableName: String { title.components(separatedBy: " — ").first ?? title }
}

/// The report layout of a file.
public enum ReportKind: String, CaseIterable, Codable, Sendable, ExperimentVocabulary {
    /// Test accuracy per row against the paper (Tables 1–3).
    case accuracy
    /// Peak training memory by T, IDE against STBP (Table 4).
    case memory
    /// Per-layer firing rates (Table 5).
    case rates
    /// Residual ‖f(a[t]) − a[t]‖ / ‖a[t]‖ against t (the convergence figure).
    case convergence

    static var vocabularyName: String { "report kind" }
}

/// How much of a file's work to do: the published settings; the paper's hyperparameters on the
/// full offline data with fewer epochs so that a run takes at most an hour on two cores; a
/// minutes-per-row check; or a seconds-per-row smoke test.
public enum Profile: String, CaseIterable, Codable, Sendable {
    case paper
    case local
    case quick
    case smoke

    /// Whether every file must define the profile. `local` came later: a file without it simply
    /// has no local runs (`fsnn run --profile local` on it is an error naming the file).
    public var isRequired: Bool { self != .local }
}

/// Per-profile settings; every required profile must be present (`{}` when it changes nothing).
public typealias ProfilePatches = PerProfile<SettingsPatch>

/// The paper's result for a row, accuracy in percent: mean ± std (best).
public struct PaperResult: Codable, Equatable, Sendable {
    public var mean: Double
    public var std: Double?
    public var best: Double?

    public init(mean: Double, std: Double? = nil, best: Double? = nil) {
        self.mean = mean
        self.std = std
        self.best = best
    }
}

/// One row: its identity, the paper's number, and the settings it changes.
public struct ExperimentRow: Decodable, Equatable, Sendable {
    /// Unique in the file; the result directory name (`mnist-if`).
    public var id: String
    /// Shown in the report; defaults to a description built from the settings.
    public var label: String?
    /// For a twin: the id of the row its group is keyed on (a row without `twin`), which it mirrors
    /// with another gradient method. Both must resolve to the same settings except for the
    /// gradient method and its own options.
    public var twin: String?
    /// Per profile, the row of another experiment file whose runs this row's are (`same_run_as:
    /// {local: table1/mnist-if}`): at that profile the row trains nothing and reads the other
    /// row's result files. Both must resolve to the same training settings (`RunReferenceResolver`).
    public var sameRunAs: PerProfile<RunReference>?
    public var paper: PaperResult?
    /// Settings written directly in the row.
    public var settings: SettingsPatch
    /// Per-profile settings of this row only.
    public var profiles: ProfilePatches?

    private enum CodingKeys: String, CodingKey {
        case id, label, twin, paper, profiles
        case sameRunAs = "same_run_as"
    }

    public init(id: String, label: String? = nil, twin: String? = nil, sameRunAs: PerProfile<RunReference>? = nil,
                paper: PaperResult? = nil, settings: SettingsPatch, profiles: ProfilePatches? = nil) {
        self.id = id
        self.label = label
        self.twin = twin
        self.sameRunAs = sameRunAs
        self.paper = paper
        self.settings = settings
        self.profiles = profiles
    }

    /// The row's own keys and the settings keys share one mapping.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        twin = try container.decodeIfPresent(String.self, forKey: .twin)
        sameRunAs = try container.decodeIfPresent(PerProfile<RunReference>.self, forKey: .sameRunAs)
        paper = try container.decodeIfPresent(PaperResult.self, forKey: .paper)
        profiles = try container.decodeIfPresent(ProfilePatches.self, forKey: .profiles)
        settings = try SettingsPatch(from: decoder)
    }
}

// The vocabulary of the other targets, spelled by raw value in files.
extension ModelName: ExperimentVocabulary { static var vocabularyName: String { "model" } }
extension DatasetName: ExperimentVocabulary { static var vocabularyName: String { "dataset" } }
extension Quirk: ExperimentVocabulary { static var vocabularyName: String { "quirk" } }
extension TrainingMethod: ExperimentVocabulary { static var vocabularyName: String { "method" } }
extension SolverKind: ExperimentVocabulary { static var vocabularyName: String { "solver" } }
extension SurrogateKind: ExperimentVocabulary { static var vocabularyName: String { "surrogate" } }
extension OptimizerKind: ExperimentVocabulary { static var vocabularyName: String { "optimizer" } }
extension NeuronType: ExperimentVocabulary { static var vocabularyName: String { "neuron" } }
