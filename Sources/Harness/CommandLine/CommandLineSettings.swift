import Datasets
import FSNN

/// Settings given as command-line options, checked exactly as experiment files are (the bounds
/// of `TrainingSettings` and `RunSettings`, then `SettingsResolution`), with the option's name
/// and value where a file would say `file:line:column: field`:
///
/// ```
/// --T 0: T = 0 must be positive; time steps must be in 1…10000 (…)
/// ```
public struct CommandLineSettings: Sendable {
    private var patch = SettingsPatch()
    /// The option that gave each key.
    private var options: [String: String] = [:]

    public init() {}

    /// Sets the training setting at `keyPath` to `value` as option `option` gave it (a number as
    /// a `Double`, a set as a list); nil leaves the setting to its default.
    public mutating func set<Value: SettingValue>(_ keyPath: WritableKeyPath<TrainingConfiguration, Value>,
                                                  _ value: Value.Written?, option: String) {
        set(Self.setting(keyPath, in: TrainingSettings.all), value, option: option)
    }

    /// Sets the run setting at `keyPath` (dataset, subsets, seeds, …).
    public mutating func set<Value: SettingValue>(_ keyPath: WritableKeyPath<RunSettings, Value>,
                                                  _ value: Value.Written?, option: String) {
        set(Self.setting(keyPath, in: RunSettings.data + RunSettings.records), value, option: option)
    }

    private mutating func set<Root, Value>(_ setting: Setting<Root, Value>, _ value: Value.Written?, option: String) {
        guard let value else { return }
        patch[setting.key] = setting.literal(written: value)
        options[setting.key] = option
    }

    private static func setting<Root, Value>(_ keyPath: WritableKeyPath<Root, Value>,
                                             in table: [any SettingDeclaration<Root>]) -> Setting<Root, Value> {
        for entry in table {
            if let setting = entry as? Setting<Root, Value>, setting.keyPath == keyPath { return setting }
        }
        preconditionFailure("\(keyPath) is not a setting of the table")
    }

    /// The settings resolved, or every problem, one line each. On the command line the model
    /// `nmnist_64c5s_f64c5_p1` implies its quirk `nmnist_input_conv_pad1` (B6), which an
    /// experiment file must list to say that a row is the reference's layout.
    public func resolve() throws(CommandLineSettingsError) -> ResolvedSettings {
        var patch = patch
        let padding1 = Quirk.nmnistInputConvPad1.rawValue
        if patch["model"] == .text(ModelName.nmnist64C5sF64C5P1.rawValue) {
            var quirks: [String] = []
            if case let .texts(given)? = patch["quirks"] { quirks = given }
            if !quirks.contains(padding1) { patch["quirks"] = .texts(quirks + [padding1]) }
        }
        return try resolve(patch)
    }

    private func resolve(_ patch: SettingsPatch) throws(CommandLineSettingsError) -> ResolvedSettings {
        try checkValues(patch)
        switch SettingsResolution.resolve(patch, isOwn: { options[$0] != nil }) {
        case let .resolved(settings):
            return settings
        case let .rejected(problems):
            throw CommandLineSettingsError(lines: problems.map { problem in
                problem.key.map { line($0, problem.message) } ?? problem.message
            })
        }
    }

    /// Checks one value of an option that is not part of a run's settings but shares a setting's
    /// bounds (`fsnn inspect --steps` has those of `convergence.steps`).
    public static func check<Value: SettingValue>(_ keyPath: WritableKeyPath<RunSettings, Value>, _ value: Value.Written?,
                                                  option: String) throws(CommandLineSettingsError) {
        var settings = CommandLineSettings()
        settings.set(keyPath, value, option: option)
        try settings.checkValues()
    }

    /// Checks one value against a training setting's bounds (`fsnn inspect grads --indices`
    /// makes a batch, so its count has the bounds of `batch_size`).
    public static func check<Value: SettingValue>(_ keyPath: WritableKeyPath<TrainingConfiguration, Value>,
                                                  _ value: Value.Written?, option: String) throws(CommandLineSettingsError) {
        var settings = CommandLineSettings()
        settings.set(keyPath, value, option: option)
        try settings.checkValues()
    }

    /// Each given value against its setting's bounds and list rules, in table order.
    private func checkValues(_ patch: SettingsPatch? = nil) throws(CommandLineSettingsError) {
        let patch = patch ?? self.patch
        var lines: [String] = []
        for entry in SettingsSchema.entries {
            guard let literal = patch[entry.key] else { continue }
            lines += entry.declaration.problems(of: literal).map { line(entry.key, $0.message) }
        }
        guard lines.isEmpty else { throw CommandLineSettingsError(lines: lines) }
    }

    /// `--T 0: message`, or `quirks: message` for a setting no option gave.
    private func line(_ key: String, _ message: String) -> String {
        guard let option = options[key] else { return "\(key): \(message)" }
        guard let literal = patch[key], !literal.isList else { return "\(option): \(message)" }
        return "\(option) \(literal): \(message)"
    }
}

/// Command-line options that do not make a valid run, one line per problem.
public struct CommandLineSettingsError: Error, Equatable, CustomStringConvertible {
    public let lines: [String]
    public var description: String { lines.joined(separator: "\n") }
}
