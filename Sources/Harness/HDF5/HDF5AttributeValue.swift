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

/// A Swift value that is stored as one attribute.
public protocol HDF5AttributeConvertible {
    var hdf5AttributeValue: HDF5AttributeValue { get }
    /// The value, or nil when the attribute holds another type. Integers read as floats, so a
    /// Float64 attribute written by another tool as an integer still reads.
    init?(hdf5AttributeValue: HDF5AttributeValue)
    /// The type name used in error messages.
    static var hdf5AttributeTypeName: String { get }
}

extension String: HDF5AttributeConvertible {
    public var hdf5AttributeValue: HDF5AttributeValue { .string(self) }
    public init?(hdf5AttributeValue value: HDF5AttributeValue) {
        guard case let .string(string) = value else { return nil }
        self = string
    }
    public static var hdf5AttributeTypeName: String { "a string" }
}

extension Double: HDF5AttributeConvertible {
    public var hdf5AttributeValue: HDF5AttributeValue { .double(self) }
    public init?(hdf5AttributeValue value: HDF5AttributeValue) {
        switch value {
        case let .double(number): self = number
        case let .integer(number): self = Double(number)
        default: return nil
        }
    }
    public static var hdf5AttributeTypeName: String { "a float" }
}

extension Int: HDF5AttributeConvertible {
    public var hdf5AttributeValue: HDF5AttributeValue { .integer(Int64(self)) }
    public init?(hdf5AttributeValue value: HDF5AttributeValue) {
        guard case let .integer(number) = value else { return nil }
        self = Int(number)
    }
    public static var hdf5AttributeTypeName: String { "an integer" }
}

extension Bool: HDF5AttributeConvertible {
    public var hdf5AttributeValue: HDF5AttributeValue { .integer(self ? 1 : 0) }
    public init?(hdf5AttributeValue value: HDF5AttributeValue) {
        guard case let .integer(number) = value, number == 0 || number == 1 else { return nil }
        self = number == 1
    }
    public static var hdf5AttributeTypeName: String { "a boolean (0 or 1)" }
}

extension Array: HDF5AttributeConvertible where Element: HDF5AttributeArrayElement {
    public var hdf5AttributeValue: HDF5AttributeValue { Element.arrayValue(self) }
    public init?(hdf5AttributeValue value: HDF5AttributeValue) {
        guard let array = Element.array(from: value) else { return nil }
        self = array
    }
    public static var hdf5AttributeTypeName: String { "an array of \(Element.hdf5AttributeTypeName)s" }
}

/// Element types of array attributes.
public protocol HDF5AttributeArrayElement: HDF5AttributeConvertible {
    static func arrayValue(_ array: [Self]) -> HDF5AttributeValue
    static func array(from value: HDF5AttributeValue) -> [Self]?
}

extension String: HDF5AttributeArrayElement {
    public static func arrayValue(_ array: [String]) -> HDF5AttributeValue { .strings(array) }
    public static func array(from value: HDF5AttributeValue) -> [String]? {
        guard case let .strings(array) = value else { return nil }
        return array
    }
}

extension Double: HDF5AttributeArrayElement {
    public static func arrayValue(_ array: [Double]) -> HDF5AttributeValue { .doubles(array) }
    public static func array(from value: HDF5AttributeValue) -> [Double]? {
        switch value {
        case let .doubles(array): return array
        case let .integers(array): return array.map(Double.init)
        default: return nil
        }
    }
}

extension Int: HDF5AttributeArrayElement {
    public static func arrayValue(_ array: [Int]) -> HDF5AttributeValue { .integers(array.map(Int64.init)) }
    public static func array(from value: HDF5AttributeValue) -> [Int]? {
        guard case let .integers(array) = value else { return nil }
        return array.map(Int.init)
    }
}
