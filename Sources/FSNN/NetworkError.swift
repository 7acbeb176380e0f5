import Tensor

/// Errors of the networks' inputs.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    case inputShape(expected: String, actual: [Int])
    case unsupportedInput(String)

    public var description: String {
        switch self {
        case let .inputShape(expected, actual):
            return "network input has shape \(Tensor.describe(actual)); expected \(expected)"
        case let .unsupportedInput(reason):
            return reason
        }
    }
}
