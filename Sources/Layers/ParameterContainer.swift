import Tensor

/// Something that owns parameters and persistent state under stable PyTorch-style names, so that
/// weights, optimiser state and checkpoints can be exchanged with PyTorch by name.
public protocol ParameterContainer: AnyObject {
    /// Trainable parameters by local name ("weight", "bias", …).
    var namedParameters: [(name: String, parameter: Parameter)] { get }
    /// Persistent non-trainable state by local name ("running_mean", …); empty by default.
    var namedBuffers: [(name: String, tensor: Tensor)] { get }
}

extension ParameterContainer {
    public var namedBuffers: [(name: String, tensor: Tensor)] { [] }
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// `namedParameters` with every name prefixed by "`prefix`." (or unchanged when empty).
    public func namedParameters(prefix: String) -> [(name: String, parameter: Parameter)] {
        namedParameters.map { (prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", $0.parameter) }
    }

    public func namedBuffers(prefix: String) -> [(name: String, tensor: Tensor)] {
        namedBuffers.map { (prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", $0.tensor) }
    }

    public func zeroGradients() {
        for (_, p) in namedParameters { p.zeroGradient() }
    }
}
