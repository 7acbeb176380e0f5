import Tensor

/// Errors of the optimisers and the learning-rate schedule; each names the setting, parameter or
/// state entry that is wrong.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// Two parameters handed to one optimiser share a name.
    case duplicateParameterName(String)
    /// A hyperparameter outside its valid range.
    case invalidHyperparameter(name: String, value: Double, expected: String)
    /// Saved state names a parameter this optimiser does not have.
    case unknownParameterInState(String)
    /// Saved state for a parameter has the wrong number of elements.
    case stateSizeMismatch(parameter: String, expected: Int, actual: Int)
    /// Saved state with an impossible value (for example a negative count).
    case invalidState(field: String, value: Int)

    public var description: String {
        switch self {
        case let .duplicateParameterName(name):
            return "optimiser: parameter name \"\(name)\" appears more than once"
        case let .invalidHyperparameter(name, value, expected):
            return "optimiser: \(name) = \(value) is invalid; expected \(expected)"
        case let .unknownParameterInState(name):
            return "optimiser state: parameter \"\(name)\" is not among the optimiser's parameters"
        case let .stateSizeMismatch(parameter, expected, actual):
            return "optimiser state: \"\(parameter)\" holds \(actual) values, but the parameter has \(expected) elements"
        case let .invalidState(field, value):
            return "optimiser state: \(field) = \(value) is invalid"
        }
    }

    /// Throws `.invalidHyperparameter` unless `isValid`.
    static func check(_ isValid: Bool, _ name: String, _ value: some BinaryFloatingPoint, _ expected: String) throws(OptimizerError) {
        guard isValid else { throw .invalidHyperparameter(name: name, value: Double(value), expected: expected) }
    }
}

/// An optimiser over a fixed list of named parameters, with PyTorch's update rules. The learning
/// rate may change between steps (the trainer sets it from a `LearningRateSchedule` every
/// iteration). `state` holds every per-parameter buffer keyed by parameter name, as a plain
/// Codable value; restoring it into an optimiser over the same parameters continues bit for bit.
public protocol Optimizer: AnyObject {
    associatedtype State: Codable, Equatable, Sendable
    var learningRate: Float { get set }
    var state: State { get }
    /// Replaces all per-parameter state; parameters the state does not mention start fresh.
    func restore(from state: State) throws(OptimizerError)
    /// One update of every parameter from its accumulated `gradient`.
    func step()
}

/// The parameters of an optimiser: unique names, in the order given.
struct NamedParameterList {
    let entries: [(name: String, parameter: Parameter)]
    private let indexByName: [String: Int]

    init(_ entries: [(name: String, parameter: Parameter)]) throws(OptimizerError) {
        var indexByName: [String: Int] = [:]
        for (i, entry) in entries.enumerated() {
            guard indexByName.updateValue(i, forKey: entry.name) == nil else { throw .duplicateParameterName(entry.name) }
        }
        self.entries = entries
        self.indexByName = indexByName
    }

    /// The index of the parameter a saved state entry belongs to, checking its element count.
    func index(ofStateEntry name: String, count: Int) throws(OptimizerError) -> Int {
        guard let i = indexByName[name] else { throw .unknownParameterInState(name) }
        let expected = entries[i].parameter.value.count
        guard count == expected else { throw .stateSizeMismatch(parameter: name, expected: expected, actual: count) }
        return i
    }
}

extension Tensor {
    /// A tensor of `shape` holding `values`, whose count the caller has checked.
    static func checkedCopy(of values: [Float], shape: [Int]) -> Tensor {
        precondition(values.count == shape.reduce(1, *), "state entry size was not checked")
        let tensor = Tensor(zeros: shape)
        for (i, value) in values.enumerated() { tensor.pointer[i] = value }
        return tensor
    }
}
