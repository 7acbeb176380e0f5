import Datasets
import Foundation
import FSNN
import HDF5

/// What a checkpoint belongs to, stored as its `/metadata` attributes: the run (table, row,
/// profile, seed), the dataset read, the resolved settings under their YAML keys, and the
/// `TrainingConfiguration` and `DataLimits` as JSON, so the model can be rebuilt without the
/// experiment file (`fsnn inspect`). Resuming requires the requested run to have the same identity.
public struct RunIdentity: Equatable, Sendable {
    public var table: String
    public var row: String
    public var profile: Profile
    public var seed: Int
    public var datasetUsed: DatasetName
    /// `ExperimentRun.settingAttributes`.
    public var settings: [ConfigEntry]
    public var configuration: TrainingConfiguration
    public var limits: DataLimits

    public init(run: ExperimentRun, seed: Int, datasetUsed: DatasetName) {
        table = run.table
        row = run.row
        profile = run.profile
        self.seed = seed
        self.datasetUsed = datasetUsed
        settings = run.settingAttributes.map { ConfigEntry(name: $0.name, value: $0.value) }
        configuration = run.training
        limits = run.dataLimits
    }

    private static let fixedNames = ["table", "row", "profile", "seed", "dataset_used", "training_configuration", "data_limits"]
    /// Settings that may change without changing the run: the seed list of the row and its note.
    static let incidentalSettings: Set<String> = ["seeds", "data_note"]

    /// The `/metadata` attributes (throws only for a non-finite number in the configuration).
    public func entries() throws -> [ConfigEntry] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        return [
            ConfigEntry(name: "table", value: .string(table)), ConfigEntry(name: "row", value: .string(row)),
            ConfigEntry(name: "profile", value: .string(profile.rawValue)),
            ConfigEntry(name: "seed", value: .integer(Int64(seed))),
            ConfigEntry(name: "dataset_used", value: .string(datasetUsed.rawValue)),
            ConfigEntry(name: "training_configuration", value: .string(try json(configuration))),
            ConfigEntry(name: "data_limits", value: .string(try json(limits))),
        ] + settings
    }

    /// Reads the identity back from a checkpoint's metadata.
    public init(entries: [ConfigEntry], file: String) throws {
        func value(_ name: String) throws -> HDF5AttributeValue {
            guard let entry = entries.first(where: { $0.name == name }) else {
                throw RunFileError.invalidLayout(file: file, object: "/metadata@\(name)", reason: "missing")
            }
            return entry.value
        }
        func string(_ name: String) throws -> String {
            guard let text = String(hdf5AttributeValue: try value(name)) else {
                throw RunFileError.invalidLayout(file: file, object: "/metadata@\(name)", reason: "expected a string")
            }
            return text
        }
        func decoded<T: Decodable>(_ name: String, as _: T.Type) throws -> T {
            do {
                return try JSONDecoder().decode(T.self, from: Data(try string(name).utf8))
            } catch let error as RunFileError {
                throw error
            } catch {
                throw RunFileError.invalidLayout(file: file, object: "/metadata@\(name)", reason: "unreadable JSON: \(error)")
            }
        }
        table = try string("table")
        row = try string("row")
        guard let profile = Profile(rawValue: try string("profile")) else {
            throw RunFileError.invalidLayout(file: file, object: "/metadata@profile", reason: "unknown profile")
        }
        self.profile = profile
        guard let seed = Int(hdf5AttributeValue: try value("seed")) else {
            throw RunFileError.invalidLayout(file: file, object: "/metadata@seed", reason: "expected an integer")
        }
        self.seed = seed
        guard let dataset = DatasetName(rawValue: try string("dataset_used")) else {
            throw RunFileError.invalidLayout(file: file, object: "/metadata@dataset_used", reason: "unknown dataset")
        }
        datasetUsed = dataset
        configuration = try decoded("training_configuration", as: TrainingConfiguration.self)
        let problems = Self.problems(of: configuration)
        guard problems.isEmpty else {
            throw RunFileError.invalidLayout(file: file, object: "/metadata@training_configuration",
                                             reason: problems.joined(separator: "; "))
        }
        limits = try decoded("data_limits", as: DataLimits.self)
        settings = entries.filter { !Self.fixedNames.contains($0.name) }
    }

    /// What the settings table finds wrong with a stored configuration, one `key: message` each:
    /// the model, workspaces and loops are sized from it, so its bounds hold here too.
    private static func problems(of configuration: TrainingConfiguration) -> [String] {
        TrainingSettings.all.flatMap { setting in
            setting.literal(in: configuration).map { setting.problems(of: $0).map { "\(setting.key): \($0.message)" } } ?? []
        }
    }

    /// Why a run with identity `requested` cannot continue from this one, one line per
    /// difference ("time_steps: 3 in the checkpoint, 5 requested"); empty when it can.
    public func differences(from requested: RunIdentity) -> [String] {
        var lines: [String] = []
        func compare(_ name: String, _ stored: String, _ wanted: String) {
            if stored != wanted { lines.append("\(name): \(stored) in the checkpoint, \(wanted) requested") }
        }
        compare("table", table, requested.table)
        compare("row", row, requested.row)
        compare("profile", profile.rawValue, requested.profile.rawValue)
        compare("seed", "\(seed)", "\(requested.seed)")
        compare("dataset_used", datasetUsed.rawValue, requested.datasetUsed.rawValue)
        lines += ConfigEntry.differences(settings, requested.settings, ignoring: Self.incidentalSettings)
            .map { "\($0.name): \($0.stored) in the checkpoint, \($0.requested) requested" }
        if lines.isEmpty, configuration != requested.configuration || limits != requested.limits {
            lines.append("the stored training configuration or data limits differ from the requested ones")
        }
        return lines
    }
}

extension ConfigEntry {
    /// Settings whose values differ between two lists (absent on one side counts), by name in
    /// the order of `stored` then `requested`, with the values as text.
    static func differences(_ stored: [ConfigEntry], _ requested: [ConfigEntry], ignoring: Set<String>)
        -> [(name: String, stored: String, requested: String)] {
        var names: [String] = []
        for entry in stored + requested where !ignoring.contains(entry.name) && !names.contains(entry.name) {
            names.append(entry.name)
        }
        func value(_ list: [ConfigEntry], _ name: String) -> HDF5AttributeValue? { list.first { $0.name == name }?.value }
        return names.compactMap { name in
            let a = value(stored, name), b = value(requested, name)
            guard a != b else { return nil }
            return (name, a.map(\.text) ?? "(unset)", b.map(\.text) ?? "(unset)")
        }
    }
}

extension HDF5AttributeValue {
    /// The value as a person reads it: `5`, `0.05`, `ide`, `[30, 60, 90]`.
    var text: String {
        switch self {
        case let .string(value): return value
        case let .strings(values): return "[\(values.joined(separator: ", "))]"
        case let .double(value): return "\(value)"
        case let .doubles(values): return "[\(values.map { "\($0)" }.joined(separator: ", "))]"
        case let .integer(value): return "\(value)"
        case let .integers(values): return "[\(values.map { "\($0)" }.joined(separator: ", "))]"
        }
    }
}
