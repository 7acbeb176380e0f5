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
