/// A contiguous, row-major `Float` tensor: images are NCHW, fully connected activations N×D,
/// parameters keep PyTorch layouts.
///
/// `Tensor` is a *handle* to storage, like `torch.Tensor`: copies of a handle and views made by
/// `reshaped(_:)` or `batch(_:)` share the same elements, and writing through one is seen by all.
/// `copy()` makes an independent tensor. Element loops run on `withUnsafe…BufferPointer` scopes.
public struct Tensor: @unchecked Sendable {
    /// Extents, outermost first.
    public let shape: [Int]
    /// Number of elements, the product of `shape`.
    public let count: Int
    let storage: TensorStorage
    let offset: Int

    /// A zero tensor of the given shape.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        storage = TensorStorage(capacity: count)
        offset = 0
    }

    /// A tensor filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(zeros: shape)
        if value != 0 { fill(value) }
    }

    /// A tensor holding `values` (row-major) in the given shape.
    public init(shape: [Int], values: [Float]) throws(TensorError) {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidShape(operation: "Tensor(shape:values:)", shape: shape, reason: "negative extent")
        }
        guard let count = Tensor.elementCount(of: shape) else {
            throw .invalidShape(operation: "Tensor(shape:values:)", shape: shape, reason: "element count overflows Int")
        }
        guard count == values.count else { throw .countMismatch(shape: shape, count: values.count) }
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    private init(storage: TensorStorage, offset: Int, shape: [Int]) {
        self.storage = storage
        self.offset = offset
        self.shape = shape
        count = shape.reduce(1, *)
    }

    /// The first element. Valid while any handle to this tensor's storage is alive; prefer the
    /// scoped `withUnsafe…` accessors outside hot paths.
    public var pointer: UnsafeMutablePointer<Float> { storage.base + offset }

    public var rank: Int { shape.count }

    /// The elements as an array (a copy).
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }

    /// Whether `other` is a view of the same elements.
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    /// Whether `tracker` counts this tensor's storage (see `MemoryTracker`).
    public func isCharged(to tracker: MemoryTracker) -> Bool { storage.isCharged(to: tracker) }

    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        defer { withExtendedLifetime(storage) {} }
        return try body(UnsafeBufferPointer(start: pointer, count: count))
    }

    public func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        defer { withExtendedLifetime(storage) {} }
        return try body(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    /// A view with another shape and the same number of elements; no copy.
    public func reshaped(_ newShape: [Int]) throws(TensorError) -> Tensor {
        guard Tensor.elementCount(of: newShape) == count else {
            throw .shapeMismatch(operation: "reshaped", lhs: shape, rhs: newShape)
        }
        return Tensor(storage: storage, offset: offset, shape: newShape)
    }

    /// A view of rows `range` of the outermost axis (a batch chunk); no copy.
    public func batch(_ range: Range<Int>) throws(TensorError) -> Tensor {
        guard rank >= 1, range.lowerBound >= 0, range.upperBound <= shape[0] else {
            throw .invalidShape(operation: "batch(\(range))", shape: shape, reason: "rows out of range")
        }
        let rowCount = shape.dropFirst().reduce(1, *)
        return Tensor(storage: storage, offset: offset + range.lowerBound * rowCount,
                      shape: [range.count] + shape.dropFirst())
    }

    /// The product of `shape`, or nil when an extent is negative or the product overflows `Int`
    /// (shapes read from files must give an error, not a trap).
    static func elementCount(of shape: [Int]) -> Int? {
        guard shape.allSatisfy({ $0 >= 0 }) else { return nil }
        var total = 1
        for extent in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// An independent copy.
    public func copy() -> Tensor {
        let result = Tensor(zeros: shape)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    /// Element at a multi-index (for tests and diagnostics, not for hot loops).
    public subscript(_ index: Int...) -> Float {
        get { pointer[flatIndex(index)] }
        nonmutating set { pointer[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) has the wrong rank for shape \(shape)")
        var flat = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "index \(index) out of range for shape \(shape)")
            flat = flat * extent + i
        }
        return flat
    }

    /// Throws unless `other` has exactly this tensor's shape.
    public func checkSameShape(as other: Tensor, _ operation: String) throws(TensorError) {
        guard shape == other.shape else { throw .shapeMismatch(operation: operation, lhs: shape, rhs: other.shape) }
    }

    /// Throws unless this tensor has the given shape.
    public func checkShape(_ expected: [Int], _ operation: String) throws(TensorError) {
        guard shape == expected else { throw .shapeMismatch(operation: operation, lhs: shape, rhs: expected) }
    }

    /// "[128, 64, 14, 14]"
    public static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = withUnsafeBufferPointer { $0.prefix(8).map { "\($0)" }.joined(separator: ", ") }
        return "Tensor\(Tensor.describe(shape))(\(head)\(count > 8 ? ", …" : ""))"
    }
}

extension Tensor {
    /// A tensor whose elements are unspecified until written: for large scratch buffers whose
    /// every element is written before it is read (the zero fill of `init(zeros:)` would cost a
    /// full pass over memory).
    public static func uninitialized(_ shape: [Int]) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        let count = shape.reduce(1, *)
        return Tensor(storage: TensorStorage(capacity: count, zeroed: false), offset: 0, shape: shape)
    }
}
