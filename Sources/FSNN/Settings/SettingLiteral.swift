/// A setting's value as experiment files, the command line, result attributes and checkpoint
/// identities write it: numbers as the decimals written (0.95, not 0.949999988), names by their
/// raw values, lists as lists. The neutral form every setting converts to and from.
public enum SettingLiteral: Equatable, Hashable, Sendable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case flag(Bool)
    /// A name (model, quirk, …) or free text.
    case text(String)
    case integers([Int])
    case texts([String])

    /// The value as a person reads it: `5`, `0.05`, `true`, `ide`, `[30, 60, 90]`.
    public var description: String {
        switch self {
        case let .integer(value): return "\(value)"
        case let .number(value): return "\(value)"
        case let .flag(value): return "\(value)"
        case let .text(value): return value
        case let .integers(values): return "[\(values.map(String.init).joined(separator: ", "))]"
        case let .texts(values): return "[\(values.joined(separator: ", "))]"
        }
    }

    /// Whether it is a list (`integers`, `texts`).
    public var isList: Bool {
        switch self {
        case .integers, .texts: return true
        default: return false
        }
    }

    /// The number of an `integer` or `number`.
    var number: Double? {
        switch self {
        case let .integer(value): return Double(value)
        case let .number(value): return value
        default: return nil
        }
    }
}
