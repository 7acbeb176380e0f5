import Tensor

/// A trainable tensor and the gradient accumulated for it. Backward passes *add* into `gradient`
/// (as PyTorch does), so a weight shared across time steps collects every step's contribution;
/// `zeroGradient()` starts a new accumulation.
public final class Parameter {
    /// Values in PyTorch layout (conv OIHW, conv-transpose IOHW, linear out×in).
    public let value: Tensor
    /// ∂L/∂value, same shape.
    public let gradient: Tensor

    public init(_ value: Tensor) {
        self.value = value
        gradient = Tensor(zeros: value.shape)
    }

    public var shape: [Int] { value.shape }

    public func zeroGradient() { gradient.fill(0) }
}

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

/// A layer that is a linear map of its input for a given weight: Linear, Conv2d, ConvTranspose2d
/// (bias excluded). The spectral reparameterisation (spec §6.1) estimates the norm of this map,
/// and the IDE Jacobian-transpose products (spec §4.7) apply its transpose, so all three
/// operations take the weight explicitly rather than reading `weight.value`.
public protocol LinearMap: ParameterContainer {
    /// The weight in PyTorch layout.
    var weight: Parameter { get }
    /// Shape of one input sample (e.g. [C, H, W] or [D]).
    var inputSampleShape: [Int] { get }
    /// Shape of one output sample.
    var outputSampleShape: [Int] { get }
    /// y = A_w x for a batch x of shape [N] + inputSampleShape (no bias).
    func apply(weight: Tensor, to x: Tensor, into y: Tensor) throws(TensorError)
    /// x = A_wᵀ y, the adjoint: the input gradient for output gradient y.
    func applyTransposed(weight: Tensor, to y: Tensor, into x: Tensor) throws(TensorError)
    /// dW += ∂⟨dy, A_w x⟩/∂w, the weight gradient for input x and output gradient dy, summed over the batch.
    func accumulateWeightGradient(input x: Tensor, outputGradient dy: Tensor, into dW: Tensor) throws(TensorError)
}
