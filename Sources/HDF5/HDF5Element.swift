/// A Swift number that maps onto one `HDF5ElementType` with the same memory layout.
public protocol HDF5Element: Equatable, Sendable {
    static var hdf5Type: HDF5ElementType { get }
    static var zero: Self { get }
}

extension Float: HDF5Element {
    public static var hdf5Type: HDF5ElementType { .float32 }
}

extension Double: HDF5Element {
    public static var hdf5Type: HDF5ElementType { .float64 }
}

extension Int64: HDF5Element {
    public static var hdf5Type: HDF5ElementType { .int64 }
}

extension UInt64: HDF5Element {
    public static var hdf5Type: HDF5ElementType { .uint64 }
}

/// `Int` is stored as a 64-bit signed integer (fsnn builds for 64-bit hosts only).
extension Int: HDF5Element {
    public static var hdf5Type: HDF5ElementType {
        precondition(MemoryLayout<Int>.size == 8, "fsnn stores Int as a 64-bit integer")
        return .int64
    }
}
