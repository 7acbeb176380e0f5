import Datasets
import FSNN

/// Settings as one layer writes them (a file's defaults, a profile, a row, a row's profile, or
/// the command line): the literal written for each setting key, absent = inherited. The keys
/// and their types are those of `SettingsSchema` (dotted keys live in a mapping: `neuron.lambda`
/// is `neuron: {lambda: …}`), so the schema needs no code of its own per setting.
public struct SettingsPatch: Equatable, Sendable {
    public private(set) var values: [String: SettingLiteral] = [:]

    public init() {}

    /// The literal written for `key` (`time_steps`, `neuron.lambda`), or nil when this layer does
    /// not set it.
    public subscript(key: String) -> SettingLiteral? {
        get { values[key] }
        set {
            precondition(SettingsSchema.byKey[key] != nil, "no setting '\(key)'")
            values[key] = newValue
        }
    }

    /// This patch with every setting that `top` sets taken from `top` (lists replace; the
    /// members of a mapping merge one by one).
    public func overlaid(by top: SettingsPatch?) -> SettingsPatch {
        guard let top else { return self }
        var result = self
        result.values.merge(top.values) { _, new in new }
        return result
    }
}

extension SettingsPatch: Decodable {
    /// Reads every key of the schema that the mapping has; a mapping key of the schema
    /// (`neuron`) may also be written as the scalar of its shorthand member (`neuron: lif`).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var groups: [String: [SettingsSchema.Entry]] = [:]
        for entry in SettingsSchema.entries {
            if let group = entry.group {
                groups[group, default: []].append(entry)
            } else if let literal = try entry.decodeLiteral(from: container, forKey: AnyKey(entry.key)) {
                values[entry.key] = literal
            }
        }
        for (group, members) in groups.sorted(by: { $0.key < $1.key }) where container.contains(AnyKey(group)) {
            if let mapping = try? container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(group)) {
                for member in members {
                    if let literal = try member.decodeLiteral(from: mapping, forKey: AnyKey(member.member)) {
                        values[member.key] = literal
                    }
                }
            } else if let shorthand = SettingsSchema.shorthands[group].flatMap({ SettingsSchema.byKey[$0] }) {
                values[shorthand.key] = try shorthand.decodeLiteral(from: container, forKey: AnyKey(group))
            } else {
                _ = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(group))
            }
        }
    }
}
