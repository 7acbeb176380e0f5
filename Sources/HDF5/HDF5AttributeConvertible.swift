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
