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
