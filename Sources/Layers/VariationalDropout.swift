import Tensor

/// Errors of `VariationalDropout`.
public enum VariationalDropoutError: Error, Equatable, CustomStringConvertible {
    /// The drop probability must lie in [0, 1).
    case invalidProbability(Float)
    /// The tensor to mask does not have the shape the mask was drawn for.
    case shapeMismatch(mask: [Int], tensor: [Int])

    public var description: String {
        switch self {
        case let .invalidProbability(p):
            return "VariationalDropout: drop probability \(p) is not in [0, 1)"
        case let .shapeMismatch(mask, tensor):
            return "VariationalDropout: tensor of shape \(Tensor.describe(tensor)) does not match the mask "
                + "drawn for shape \(Tensor.describe(mask)); resample(shape:using:) with the batch shape first"
        }
    }
}

/// Variational dropout (spec §6.3): one Bernoulli keep-mask per element of a layer output, drawn
/// once per mini-batch by `resample(shape:using:)` and reused for all T time steps and for the
/// f application. Kept elements are scaled by 1/(1 − p), so the mask values are 0 and 1/(1 − p).
///
/// The layer is *inactive* (apply is the identity) until the first `resample`, after
/// `deactivate()` (evaluation) and whenever p = 0.
public final class VariationalDropout {
    /// Drop probability p.
    public let probability: Float
    /// The current mask, or nil while inactive.
    public private(set) var mask: Tensor?

    public init(probability: Float = 0.2) throws(VariationalDropoutError) {
        guard probability >= 0, probability < 1 else { throw .invalidProbability(probability) }
        self.probability = probability
    }

    public var isActive: Bool { mask != nil }

    /// Draws a new mask for tensors of `shape`. Draw order: one `generator.nextUniform()` per
    /// element in row-major order; element i is kept when its draw u satisfies u < 1 − p. With
    /// p = 0 nothing is drawn and the layer stays inactive. The mask buffer is reused while the
    /// shape is unchanged.
    public func resample(shape: [Int], using generator: inout RandomGenerator) {
        guard probability > 0 else {
            mask = nil
            return
        }
        let target = if let mask, mask.shape == shape { mask } else { Tensor(zeros: shape) }
        let keepProbability = 1 - probability, scale = 1 / keepProbability
        let m = target.pointer
        for i in 0..<target.count { m[i] = generator.nextUniform() < keepProbability ? scale : 0 }
        mask = target
    }

    /// Switches the layer off (evaluation): `apply` becomes the identity until the next `resample`.
    public func deactivate() { mask = nil }

    /// y ⊙= mask in place (the identity while inactive).
    public func apply(_ y: Tensor) throws(VariationalDropoutError) {
        guard let mask else { return }
        guard y.shape == mask.shape else { throw .shapeMismatch(mask: mask.shape, tensor: y.shape) }
        VectorKernels.multiply(y.pointer, mask.pointer, y.count)
    }

    /// The VJP of `apply`, the same element-wise product: dx = mask ⊙ dy (dx may be dy itself;
    /// dx = dy while inactive).
    public func backward(outputGradient dy: Tensor, inputGradient dx: Tensor) throws(VariationalDropoutError) {
        guard dx.shape == dy.shape else { throw .shapeMismatch(mask: dy.shape, tensor: dx.shape) }
        if dx.pointer != dy.pointer { dx.pointer.update(from: dy.pointer, count: dy.count) }
        try apply(dx)
    }
}
