import Tensor

/// Parameters and buffers by name.
extension FeedbackNetwork {
    /// Parameters and buffers (`namedParameters` values, then `namedBuffers`) by name: the state
    /// that defines the model, without gradients or optimiser state.
    public var namedState: [(name: String, tensor: Tensor)] {
        namedParameters.map { ($0.name, $0.parameter.value) } + namedBuffers
    }
}

/// Copies tensors by name into live tensors of the same names and shapes.
public enum NamedTensorCopy {
    /// Overwrites every tensor of `targets` with the source tensor of the same name. The names
    /// must match exactly, both ways, and shapes must agree; `source` names the origin in errors
    /// (a checkpoint file and group, for instance).
    public static func assign(_ sources: [(name: String, tensor: Tensor)], to targets: [(name: String, tensor: Tensor)],
                              source: String) throws(NamedTensorError) {
        var byName: [String: Tensor] = [:]
        for (name, tensor) in sources { byName[name] = tensor }
        let expected = Set(targets.map(\.name))
        let unknown = sources.map(\.name).filter { !expected.contains($0) }
        guard unknown.isEmpty else { throw .unknownNames(source: source, names: unknown) }
        let missing = targets.map(\.name).filter { byName[$0] == nil }
        guard missing.isEmpty else { throw .missingNames(source: source, names: missing) }
        for (name, target) in targets {
            let tensor = byName[name]!
            guard tensor.shape == target.shape else {
                throw .shapeMismatch(source: source, name: name, stored: tensor.shape, expected: target.shape)
            }
            target.pointer.update(from: tensor.pointer, count: target.count)
        }
    }
}

/// Tensors that do not fit the network they are copied into.
public enum NamedTensorError: Error, Equatable, CustomStringConvertible {
    case unknownNames(source: String, names: [String])
    case missingNames(source: String, names: [String])
    case shapeMismatch(source: String, name: String, stored: [Int], expected: [Int])

    public var description: String {
        switch self {
        case let .unknownNames(source, names):
            return "\(source): \(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") not part of this network"
        case let .missingNames(source, names):
            return "\(source): no \(names.joined(separator: ", ")) (the network has \(names.count == 1 ? "it" : "them"))"
        case let .shapeMismatch(source, name, stored, expected):
            return "\(source): \(name) has shape \(Tensor.describe(stored)), the network's is \(Tensor.describe(expected))"
        }
    }
}
