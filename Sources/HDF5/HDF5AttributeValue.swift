/// The value of an attribute: a scalar or a 1-d array of strings (variable-length UTF-8),
/// 64-bit floats or 64-bit signed integers. Booleans are stored as the integers 0 and 1.
public enum HDF5AttributeValue: Equatable, Sendable {
    case string(String)
    case strings([String])
    case double(Double)
    case doubles([Double])
    case integer(Int64)
    case integers([Int64])

    /// The type name used in error messages.
    var typeName: String {
        switch self {
        case .string: return "a string"
        case .strings: return "an array of strings"
        case .double: return "a float"
        case .doubles: return "an array of floats"
        case .integer: return "an integer"
        case .integers: return "an array of integers"
        }
    }
}
