/// Errors raised by tensor operations. Each names the operation and the shapes involved.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Two operands whose shapes must agree do not.
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int])
    /// A shape that the operation cannot accept (for example a negative extent or a wrong rank).
    case invalidShape(operation: String, shape: [Int], reason: String)
    /// A flat value array whose length does not match the element count of the requested shape.
    case countMismatch(shape: [Int], count: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, lhs, rhs):
            return "\(operation): shape \(Tensor.describe(lhs)) does not match shape \(Tensor.describe(rhs))"
        case let .invalidShape(operation, shape, reason):
            return "\(operation): invalid shape \(Tensor.describe(shape)): \(reason)"
        case let .countMismatch(shape, count):
            return "shape \(Tensor.describe(shape)) holds \(shape.reduce(1, *)) elements, but \(count) values were given"
        }
    }
}
