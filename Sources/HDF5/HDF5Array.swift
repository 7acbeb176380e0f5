/// A dataset read back: row-major values and the extents, outermost first (`[]` for a scalar).
public struct HDF5Array<Element>: Sendable where Element: Sendable {
    public var shape: [Int]
    public var values: [Element]

    public init(shape: [Int], values: [Element]) {
        self.shape = shape
        self.values = values
    }
}

extension HDF5Array: Equatable where Element: Equatable {}
