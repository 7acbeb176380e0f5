import Datasets
import FSNN
import Foundation
import Layers
import Tensor

/// The mapping between a training session and its checkpoint file (docs/results-layout.md):
/// everything that makes a resumed run continue bit for bit as if it had not stopped.
///
/// | checkpoint | session |
/// |---|---|
/// | `/weights/<name>` | `trainer.network.namedParameters` (PyTorch names and layouts) |
/// | `/buffers/<name>` | `trainer.network.namedBuffers`: BN running statistics and `num_batches_tracked`, spectral `u`, `v` |
/// | `/optimizer/<name>.momentum_buffer` | SGD momentum buffers |
/// | `/optimizer/<name>.exp_avg`, `.exp_avg_sq`, `@<name>.step` | Adam moments and step counts |
/// | `/rng/dropout`, `train_shuffle`, `train_augmentation`, `test_shuffle`, `test_augmentation` | `trainer.dropoutGenerator`, both batchers' `state` |
/// | `/progress` `@epoch @iteration @best_accuracy @best_epoch @schedule_epoch @schedule_iteration` | epochs and iterations completed, best test accuracy, `trainer.schedule.state` (the warm-up counter is its iteration) |
/// | `/metadata` | `RunIdentity` |
extension TrainingSession {
    /// The session's complete state, copied, with `progress` (its scalars are replaced by the
    /// schedule's position) and `identity` as metadata.
    public func checkpoint(progress: TrainingProgress, identity: RunIdentity) throws -> Checkpoint {
        let network = trainer.network
        var progress = progress
        progress.scalars = ["schedule_epoch": Double(trainer.schedule.state.epoch),
                            "schedule_iteration": Double(trainer.schedule.state.iteration)]
        let (optimizerTensors, optimizerScalars) = trainer.optimizer.checkpointEntries(network.namedParameters)
        return Checkpoint(
            weights: network.namedParameters.map { NamedTensor($0.name, $0.parameter.value.copy()) },
            buffers: network.namedBuffers.map { NamedTensor($0.name, $0.tensor.copy()) },
            optimizerTensors: optimizerTensors, optimizerScalars: optimizerScalars,
            randomStreams: [
                "dropout": trainer.dropoutGenerator,
                "train_shuffle": trainBatcher.state.shuffle, "train_augmentation": trainBatcher.state.augmentation,
                "test_shuffle": testBatcher.state.shuffle, "test_augmentation": testBatcher.state.augmentation,
            ],
            progress: progress, metadata: try identity.entries())
    }

    /// Overwrites the session's state with `checkpoint`'s (read from `file`, named in errors).
    /// Names and shapes must match the network exactly. With `restoringSchedule` false the
    /// learning-rate schedule is left as it is (quirk B8; the caller replaces it).
    public func restore(from checkpoint: Checkpoint, file: String, restoringSchedule: Bool = true) throws {
        let network = trainer.network
        try NamedTensorCopy.assign(checkpoint.weights.map { ($0.name, $0.tensor) },
                                   to: network.namedParameters.map { ($0.name, $0.parameter.value) },
                                   source: "\(file): /weights")
        try NamedTensorCopy.assign(checkpoint.buffers.map { ($0.name, $0.tensor) }, to: network.namedBuffers,
                                   source: "\(file): /buffers")
        try trainer.optimizer.restore(tensors: checkpoint.optimizerTensors, scalars: checkpoint.optimizerScalars,
                                      file: file)
        func stream(_ name: String) throws -> RandomGenerator {
            guard let generator = checkpoint.randomStreams[name] else {
                throw RunFileError.invalidLayout(file: file, object: "/rng/\(name)", reason: "missing")
            }
            return generator
        }
        trainer.dropoutGenerator = try stream("dropout")
        var train = trainBatcher.state, test = testBatcher.state
        (train.shuffle, train.augmentation) = (try stream("train_shuffle"), try stream("train_augmentation"))
        (test.shuffle, test.augmentation) = (try stream("test_shuffle"), try stream("test_augmentation"))
        trainBatcher.state = train
        testBatcher.state = test
        guard restoringSchedule else { return }
        func scalar(_ name: String) throws -> Int {
            guard let value = checkpoint.progress.scalars[name], let integer = Int(exactly: value) else {
                throw RunFileError.invalidLayout(file: file, object: "/progress@\(name)", reason: "missing or not an integer")
            }
            return integer
        }
        try trainer.schedule.restore(from: .init(epoch: try scalar("schedule_epoch"),
                                                 iteration: try scalar("schedule_iteration")))
    }
}

extension TrainingOptimizer {
    /// The optimiser's state under PyTorch's state keys, after the parameter's name.
    func checkpointEntries(_ parameters: [(name: String, parameter: Parameter)])
        -> (tensors: [NamedTensor], scalars: [String: Double]) {
        var tensors: [NamedTensor] = [], scalars: [String: Double] = [:]
        func tensor(_ values: [Float], like parameter: Parameter) -> Tensor {
            let tensor = Tensor(zeros: parameter.shape)
            tensor.pointer.update(from: values, count: values.count)
            return tensor
        }
        switch self {
        case let .sgd(sgd):
            let buffers = sgd.state.momentumBuffers
            for (name, parameter) in parameters {
                if let values = buffers[name] { tensors.append(NamedTensor("\(name).momentum_buffer", tensor(values, like: parameter))) }
            }
        case let .adam(adam):
            let moments = adam.state.moments
            for (name, parameter) in parameters {
                guard let entry = moments[name] else { continue }
                tensors.append(NamedTensor("\(name).exp_avg", tensor(entry.firstMoment, like: parameter)))
                tensors.append(NamedTensor("\(name).exp_avg_sq", tensor(entry.secondMoment, like: parameter)))
                scalars["\(name).step"] = Double(entry.step)
            }
        }
        return (tensors, scalars)
    }

    /// Restores the state `checkpointEntries` wrote; unknown entries are errors.
    func restore(tensors: [NamedTensor], scalars: [String: Double], file: String) throws {
        func split(_ name: String, suffixes: [String]) throws -> (parameter: String, key: String) {
            for suffix in suffixes where name.hasSuffix(".\(suffix)") {
                return (String(name.dropLast(suffix.count + 1)), suffix)
            }
            throw RunFileError.invalidLayout(file: file, object: "/optimizer/\(name)",
                                             reason: "not a state entry of this optimiser (\(suffixes.joined(separator: ", ")))")
        }
        switch self {
        case let .sgd(sgd):
            guard scalars.isEmpty else {
                throw RunFileError.invalidLayout(file: file, object: "/optimizer", reason: "SGD keeps no scalar state")
            }
            var buffers: [String: [Float]] = [:]
            for entry in tensors {
                buffers[try split(entry.name, suffixes: ["momentum_buffer"]).parameter] = entry.tensor.scalars
            }
            try sgd.restore(from: SGD.State(momentumBuffers: buffers))
        case let .adam(adam):
            var first: [String: [Float]] = [:], second: [String: [Float]] = [:]
            for entry in tensors {
                let (parameter, key) = try split(entry.name, suffixes: ["exp_avg_sq", "exp_avg"])
                if key == "exp_avg" { first[parameter] = entry.tensor.scalars } else { second[parameter] = entry.tensor.scalars }
            }
            var moments: [String: Adam.Moments] = [:]
            for (name, value) in scalars {
                let parameter = try split(name, suffixes: ["step"]).parameter
                guard let step = Int(exactly: value), let m = first[parameter], let s = second[parameter] else {
                    throw RunFileError.invalidLayout(file: file, object: "/optimizer@\(name)",
                                                     reason: "needs an integer step and both moments of \(parameter)")
                }
                moments[parameter] = Adam.Moments(step: step, firstMoment: m, secondMoment: s)
            }
            guard moments.count == first.count, moments.count == second.count else {
                throw RunFileError.invalidLayout(file: file, object: "/optimizer",
                                                 reason: "every Adam moment needs its step count and its partner moment")
            }
            try adam.restore(from: Adam.State(moments: moments))
        }
    }
}

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
        limits = try decoded("data_limits", as: DataLimits.self)
        settings = entries.filter { !Self.fixedNames.contains($0.name) }
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
