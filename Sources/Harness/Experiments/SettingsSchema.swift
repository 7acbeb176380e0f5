import Datasets
import FSNN
import HDF5

/// A run's settings once resolved: the data and records (`RunSettings`) and the training
/// hyperparameters (`TrainingConfiguration`).
public struct ResolvedSettings: Equatable, Sendable {
    public var run: RunSettings
    public var training: TrainingConfiguration

    public init(run: RunSettings, training: TrainingConfiguration) {
        self.run = run
        self.training = training
    }

    /// Every setting at its default; the required model and T hold placeholders (F400, 1) that
    /// resolution replaces.
    static let defaults = ResolvedSettings(run: RunSettings(), training: TrainingConfiguration(model: .fmnistF400, timeSteps: 1))
}

/// Every setting a run has, in `/config` order: `RunSettings.data`, `TrainingSettings.all`,
/// `RunSettings.records`. The experiment-file schema, the overlay of layers, validation, the
/// result attributes and the resume identity are all read off this list.
enum SettingsSchema {
    /// One setting of either table.
    enum Entry: Sendable {
        case run(RunSettings.Entry)
        case training(TrainingSettings.Entry)

        var key: String { declaration.key }
        var attribute: String? { declaration.attribute }
        var group: String? { declaration.group }
        var member: String { declaration.member }
        var requirement: SettingRequirement? { declaration.requirement }
        var reads: String? {
            switch self {
            case let .run(setting): return setting.condition?.reads
            case let .training(setting): return setting.condition?.reads
            }
        }
        var isRequest: Bool {
            switch self {
            case let .run(setting): return setting.condition?.isRequest ?? false
            case let .training(setting): return setting.condition?.isRequest ?? false
            }
        }

        var declaration: any SettingDeclaration {
            switch self {
            case let .run(setting): return setting
            case let .training(setting): return setting
            }
        }

        func literal(in settings: ResolvedSettings) -> SettingLiteral? {
            switch self {
            case let .run(setting): return setting.literal(in: settings.run)
            case let .training(setting): return setting.literal(in: settings.training)
            }
        }

        func assign(_ literal: SettingLiteral, to settings: inout ResolvedSettings) -> Bool {
            switch self {
            case let .run(setting): return setting.assign(literal, to: &settings.run)
            case let .training(setting): return setting.assign(literal, to: &settings.training)
            }
        }

        func assignDefault(for dataset: DatasetName, to settings: inout ResolvedSettings) {
            switch self {
            case let .run(setting): setting.assignDefault(for: dataset, to: &settings.run)
            case let .training(setting): setting.assignDefault(for: dataset, to: &settings.training)
            }
        }

        func inapplicability(in settings: ResolvedSettings) -> String? {
            switch self {
            case let .run(setting): return setting.inapplicability(in: settings.run)
            case let .training(setting): return setting.inapplicability(in: settings.training)
            }
        }

        func decodeLiteral<Key: CodingKey>(from container: KeyedDecodingContainer<Key>, forKey key: Key) throws
            -> SettingLiteral? {
            switch self {
            case let .run(setting): return try setting.decodeLiteral(from: container, forKey: key)
            case let .training(setting): return try setting.decodeLiteral(from: container, forKey: key)
            }
        }
    }

    static let entries: [Entry] = RunSettings.data.map(Entry.run) + TrainingSettings.all.map(Entry.training)
        + RunSettings.records.map(Entry.run)

    static let byKey: [String: Entry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0) })

    /// The member a mapping's scalar form stands for: `neuron: lif` is `neuron: {type: lif}`.
    static let shorthands: [String: String] = ["neuron": "neuron.type"]

    /// Settings that may differ between an IDE row and its STBP twin: `method`, and every
    /// setting whose applicability reads it, directly or through another (solver → anderson_memory).
    static let methodSettings: Set<String> = {
        var keys: Set<String> = ["method"]
        while true {
            let more = entries.filter { entry in entry.reads.map(keys.contains) ?? false }.map(\.key)
            if Set(more).isSubset(of: keys) { break }
            keys.formUnion(more)
        }
        return Set(keys.compactMap { byKey[$0]?.attribute })
    }()

    /// Settings that say what a run records besides its metrics (the residual traces of
    /// `convergence`), by attribute name: they leave the trained model alone.
    static let recordingSettings: Set<String> = Set(entries.filter { $0.group == "convergence" }.compactMap(\.attribute))

    /// The resolved settings as `/config` attributes, named by their attribute names; unset
    /// optional settings are left out.
    static func attributes(of settings: ResolvedSettings) -> [(name: String, value: HDF5AttributeValue)] {
        entries.compactMap { entry in
            guard let name = entry.attribute, let literal = entry.literal(in: settings) else { return nil }
            return (name, literal.hdf5AttributeValue)
        }
    }
}

extension SettingLiteral {
    /// The literal as a `/config` attribute (booleans as 0 and 1).
    var hdf5AttributeValue: HDF5AttributeValue {
        switch self {
        case let .integer(value): return .integer(Int64(value))
        case let .number(value): return .double(value)
        case let .flag(value): return value.hdf5AttributeValue
        case let .text(value): return .string(value)
        case let .integers(values): return .integers(values.map(Int64.init))
        case let .texts(values): return .strings(values)
        }
    }
}

extension SettingsSchema {
    /// The settings as the Markdown table of docs/experiment-files.md: key, meaning, default,
    /// allowed values with their reason, and where the setting applies.
    static var documentation: String {
        let defaults = ResolvedSettings.defaults
        var lines = ["| key | meaning | default | values | applies to |", "|---|---|---|---|---|"]
        for entry in entries where entry.attribute != nil {
            let declaration = entry.declaration
            let fallback: String
            switch entry.requirement {
            case .always?: fallback = "required"
            case .whereApplicable?: fallback = "required where it applies"
            case nil: fallback = declaration.followsDataset ? "from the dataset"
                : entry.literal(in: defaults).map { "`\($0)`" } ?? "unset"
            }
            let values = declaration.bounds.map { "\($0.text): \($0.reason)" } ?? ""
            let scope: String
            switch entry {
            case let .run(setting): scope = setting.condition?.scope ?? ""
            case let .training(setting): scope = setting.condition?.scope ?? ""
            }
            lines.append("| `\(entry.key)` | \(declaration.meaning) | \(fallback) | \(values) | \(scope) |")
        }
        return lines.joined(separator: "\n")
    }
}
