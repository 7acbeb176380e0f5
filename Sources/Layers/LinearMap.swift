import Tensor

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
