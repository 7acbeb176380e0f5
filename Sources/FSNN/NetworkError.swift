import Tensor

/// Errors of the networks' call sequence and inputs.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    case backwardWithoutForward(String)
    case inputShape(expected: String, actual: [Int])
    case unsupportedInput(String)

    public var description: String {
        switch self {
        case let .backwardWithoutForward(operation):
            return "\(operation) was called without the forward pass it differentiates"
        case let .inputShape(expected, actual):
            return "network input has shape \(Tensor.describe(actual)); expected \(expected)"
        case let .unsupportedInput(reason):
            return reason
        }
    }
}
