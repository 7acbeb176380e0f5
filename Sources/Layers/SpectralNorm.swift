import Tensor

/// Errors of `SpectralNorm`.
public enum SpectralNormError: Error, Equatable, CustomStringConvertible {
    /// `backward()` needs the σ̂ of an `update(iteratingPowerMethod:)` of the current mini-batch.
    case backwardBeforeUpdate
    /// σ̂ is not a positive finite number (a zero weight, or u, v orthogonal to its range).
    case degenerateNorm(sigma: Float, weightShape: [Int])
    /// An operation of the wrapped layer failed.
    case layer(TensorError)

    public var description: String {
        switch self {
        case .backwardBeforeUpdate:
            return "SpectralNorm backward: no σ̂ yet; call update(iteratingPowerMethod:) for the mini-batch first"
        case let .degenerateNorm(sigma, weightShape):
            return "SpectralNorm: norm estimate σ̂ = \(sigma) of the weight \(Tensor.describe(weightShape)) is not positive"
        case let .layer(error):
            return "SpectralNorm: wrapped layer: \(error)"
        }
    }
}

/// The spectral reparameterisation of a `LinearMap`'s weight (spec §6.1, backward §4.7):
/// W_eff = clamp(g, −c, c) · W_raw / σ̂(W_raw) with c = 1, where σ̂ = uᵀ A v is a power-iteration
/// estimate of the top singular value of A, the linear map of W_raw.
///
/// Trainable: `rawWeight` ("weight_raw", the layer weight's shape) and the scalar gain `gain`
/// ("g", shape [1]). Persistent buffers: u ("u") and v ("v"). The wrapped layer's own `weight`
/// becomes a derived value: `update` writes W_eff into `layer.weight.value`, the layer's backward
/// accumulates ∂L/∂W_eff into `layer.weight.gradient`, and `backward(effectiveWeightGradient:)`
/// turns that into gradients of W_raw and g. The optimiser therefore steps `namedParameters` of this object, never
/// `layer.weight`.
///
/// Per mini-batch (spec §4.10): `update(iteratingPowerMethod:)` once (the forward; it saves σ̂),
/// the layer's forwards and backwards with W_eff, then `backward(effectiveWeightGradient:)` once.
public final class SpectralNorm: ParameterContainer {
    /// Which operator σ̂ estimates the norm of (quirk B9).
    public enum Estimate: String, Codable, Sendable {
        /// The weight reshaped to a matrix with the first axis as rows: Conv (O, I, kh, kw) →
        /// O × (I·kh·kw); ConvTranspose (I, O, kh, kw) → I × (O·kh·kw); Linear out × in. u has
        /// length rows, v length cols. The reference code's behaviour (B9 on).
        case reshapedMatrix = "reshaped_matrix"
        /// The layer's map itself at batch 1, through `apply` / `applyTransposed`: u has the
        /// output sample shape, v the input sample shape (B9 off, the default).
        case operatorNorm = "operator_norm"
    }

    /// c, the bound of the gain clamp.
    public static let gainBound: Float = 1
    /// ε of the normalisation v / max(‖v‖, ε) (as `torch.nn.functional.normalize`).
    public static let normalizationEpsilon: Float = 1e-12

    public let layer: any LinearMap
    public let estimate: Estimate
    /// W_raw, in the layer weight's shape.
    public let rawWeight: Parameter
    /// g, shape [1].
    public let gain: Parameter
    /// Left singular vector estimate: [rows] (matrix) or [1] + outputSampleShape (operator).
    public let u: Tensor
    /// Right singular vector estimate: [cols] (matrix) or [1] + inputSampleShape (operator).
    public let v: Tensor
    /// σ̂ of the last `update`, nil before the first.
    public private(set) var sigma: Float?

    /// A v, shape of u.
    private let product: Tensor
    /// ∂σ/∂W_raw at the last update's u, v (u vᵀ in the matrix case), computed by the first
    /// backward after the update.
    private let sigmaGradient: Tensor
    private var sigmaGradientIsCurrent = false

    /// Wraps `layer`, taking its current weight as W_raw. u then v are filled with standard-normal
    /// draws from `generator` (element order) and normalised; `initialIterations` power iterations
    /// (the reference: 10) update them, and g is initialised to the resulting σ̂.
    public init(
        wrapping layer: any LinearMap, estimate: Estimate = .operatorNorm, initialIterations: Int = 10,
        using generator: inout RandomGenerator
    ) throws(SpectralNormError) {
        let weightShape = layer.weight.shape
        precondition(weightShape.count >= 2, "SpectralNorm needs a weight of rank ≥ 2, got \(weightShape)")
        self.layer = layer
        self.estimate = estimate
        rawWeight = Parameter(layer.weight.value.copy())
        switch estimate {
        case .reshapedMatrix:
            u = Tensor(zeros: [weightShape[0]])
            v = Tensor(zeros: [weightShape.dropFirst().reduce(1, *)])
        case .operatorNorm:
            u = Tensor(zeros: [1] + layer.outputSampleShape)
            v = Tensor(zeros: [1] + layer.inputSampleShape)
        }
        product = Tensor(zeros: u.shape)
        sigmaGradient = Tensor(zeros: weightShape)
        gain = Parameter(Tensor(zeros: [1]))
        for vector in [u, v] {
            vector.fillNormal(using: &generator)
            Self.normalize(vector)
        }
        for _ in 0..<initialIterations { try powerIteration() }
        gain.value.pointer[0] = try estimateSigma()
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight_raw", rawWeight), ("g", gain)] }

    public var namedBuffers: [(name: String, tensor: Tensor)] { [("u", u), ("v", v)] }

    /// ĝ = clamp(g, −c, c).
    public var clampedGain: Float { min(max(gain.value.pointer[0], -Self.gainBound), Self.gainBound) }

    // MARK: Forward and backward

    /// The per-mini-batch update (no gradient): optionally one power iteration
    /// v = normalise(Aᵀu), u = normalise(A v); then σ̂ = uᵀ A v and W_eff = ĝ·W_raw/σ̂ into
    /// `layer.weight.value`. Pass `iteratingPowerMethod: true` in training; in evaluation pass
    /// false to freeze u, v (the default behaviour) or true to reproduce quirk B10.
    public func update(iteratingPowerMethod: Bool) throws(SpectralNormError) {
        if iteratingPowerMethod { try powerIteration() }
        let sigma = try estimateSigma()
        guard sigma > 0, sigma.isFinite else { throw .degenerateNorm(sigma: sigma, weightShape: rawWeight.shape) }
        self.sigma = sigma
        sigmaGradientIsCurrent = false
        let effective = layer.weight.value
        effective.pointer.update(from: rawWeight.value.pointer, count: effective.count)
        effective.scale(by: clampedGain / sigma)
    }

    /// VJP of W_eff(W_raw, g) with u, v and the σ̂ of the last `update` held constant, for
    /// G_W = ∂L/∂W_eff (the layer weight's shape) (spec §4.7):
    /// ∂L/∂W_raw += (ĝ/σ)·G_W − (ĝ/σ²)·⟨G_W, W_raw⟩·∂σ/∂W_raw and
    /// ∂L/∂g += ⟨G_W, W_raw⟩/σ · 1[|g| < c], where ∂σ/∂W_raw is u vᵀ (matrix) or the layer's
    /// weight gradient for input v and output gradient u (operator).
    public func backward(effectiveWeightGradient gW: Tensor) throws(SpectralNormError) {
        guard let sigma else { throw .backwardBeforeUpdate }
        guard gW.shape == rawWeight.shape else { throw .layer(.shapeMismatch(operation: "SpectralNorm backward", lhs: gW.shape, rhs: rawWeight.shape)) }
        if !sigmaGradientIsCurrent {
            try computeSigmaGradient()
            sigmaGradientIsCurrent = true
        }
        let raw = rawWeight.value
        let inner = VectorKernels.dot(gW.pointer, raw.pointer, raw.count)
        let gHat = clampedGain
        VectorKernels.axpy(rawWeight.gradient.pointer, gHat / sigma, gW.pointer, raw.count)
        VectorKernels.axpy(rawWeight.gradient.pointer, -gHat * inner / (sigma * sigma), sigmaGradient.pointer, raw.count)
        if abs(gain.value.pointer[0]) < Self.gainBound { gain.gradient.pointer[0] += inner / sigma }
    }

    // MARK: Power iteration on A

    /// v = normalise(Aᵀu); u = normalise(A v).
    private func powerIteration() throws(SpectralNormError) {
        try applyTransposed(u, into: v)
        Self.normalize(v)
        try apply(v, into: product)
        u.pointer.update(from: product.pointer, count: u.count)
        Self.normalize(u)
    }

    /// σ̂ = uᵀ A v.
    private func estimateSigma() throws(SpectralNormError) -> Float {
        try apply(v, into: product)
        return VectorKernels.dot(u.pointer, product.pointer, u.count)
    }

    /// y = A x with A the map of W_raw.
    private func apply(_ x: Tensor, into y: Tensor) throws(SpectralNormError) {
        switch estimate {
        case .reshapedMatrix:
            BLAS.gemv(m: u.count, n: v.count, a: rawWeight.value.pointer, lda: v.count, x: x.pointer, y: y.pointer)
        case .operatorNorm:
            do { try layer.apply(weight: rawWeight.value, to: x, into: y) } catch { throw .layer(error) }
        }
    }

    /// x = Aᵀ y.
    private func applyTransposed(_ y: Tensor, into x: Tensor) throws(SpectralNormError) {
        switch estimate {
        case .reshapedMatrix:
            BLAS.gemv(transposeA: true, m: u.count, n: v.count, a: rawWeight.value.pointer, lda: v.count,
                      x: y.pointer, y: x.pointer)
        case .operatorNorm:
            do { try layer.applyTransposed(weight: rawWeight.value, to: y, into: x) } catch { throw .layer(error) }
        }
    }

    /// ∂(uᵀ A v)/∂W_raw into `sigmaGradient`.
    private func computeSigmaGradient() throws(SpectralNormError) {
        switch estimate {
        case .reshapedMatrix:
            BLAS.gemm(m: u.count, n: v.count, k: 1, a: u.pointer, lda: 1, b: v.pointer, ldb: v.count,
                      c: sigmaGradient.pointer, ldc: v.count)
        case .operatorNorm:
            sigmaGradient.fill(0)
            do { try layer.accumulateWeightGradient(input: v, outputGradient: u, into: sigmaGradient) } catch {
                throw .layer(error)
            }
        }
    }

    /// x / max(‖x‖, ε) in place.
    private static func normalize(_ x: Tensor) {
        x.scale(by: 1 / max(x.norm(), normalizationEpsilon))
    }
}
