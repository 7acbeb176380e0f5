import Layers
import Tensor

/// The feedback connection W (spec §3.1, §6.1): a linear map without bias whose weight is
/// spectrally reparameterised, followed by variational dropout. `layer.weight` holds the
/// effective weight W_eff = clamp(g)·W_raw/σ̂ of the current batch and accumulates ∂L/∂W_eff;
/// the trainable parameters are the raw weight and the gain g.
public final class FeedbackConnection: ParameterContainer {
    public let layer: any AffineLayer
    public let spectralNorm: SpectralNorm
    public let dropout: VariationalDropout

    /// W_eff's event-driven products (spike inputs, sparse gradients).
    private(set) lazy var events = EventDrivenProducts(layer: layer)

    public init(layer: any AffineLayer, estimate: SpectralNorm.Estimate, dropout probability: Float,
                generator: inout RandomGenerator) throws {
        self.layer = layer
        spectralNorm = try SpectralNorm(wrapping: layer, estimate: estimate, using: &generator)
        dropout = try VariationalDropout(probability: probability)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { spectralNorm.namedParameters }
    public var namedBuffers: [(name: String, tensor: Tensor)] { spectralNorm.namedBuffers }

    /// Per-batch state (spec §4.10 step 1): a new mask and one power iteration in training; in
    /// evaluation no mask and u, v frozen unless quirk B10 keeps iterating. Computes W_eff once.
    func prepare(batchSize: Int, phase: Phase, iterateInEvaluation: Bool, generator: inout RandomGenerator) throws {
        switch phase {
        case .training:
            dropout.resample(shape: [batchSize] + layer.outputSampleShape, using: &generator)
            try spectralNorm.update(iteratingPowerMethod: true)
        case .evaluation:
            dropout.deactivate()
            try spectralNorm.update(iteratingPowerMethod: iterateInEvaluation)
        }
        layer.weight.zeroGradient()
        events.prepare()
    }

    /// After an optimiser step within a batch (OTTT_O): W_eff from the new W_raw and g with u, v
    /// kept (one power iteration per batch), its gradient zeroed, its relaid layouts out of date.
    func weightChanged() throws {
        try spectralNorm.update(iteratingPowerMethod: false)
        layer.weight.zeroGradient()
        events.prepare()
    }

    /// y = W_eff s for binary spikes s of which a fraction `density` is 1 (the simulation's
    /// feedback current before its dropout mask): event-driven below the forward crossover.
    func apply(spikes s: Tensor, density: Float, into y: Tensor) throws {
        try events.forward(spikes: s, density: density, into: y)
    }

    /// y = W_eff a for rates a (without the dropout mask, which callers fuse into the map):
    /// event-driven when enough of a is 0 (silent neurons).
    func apply(rates a: Tensor, into y: Tensor) throws {
        try events.forward(sparse: a, density: a.density(), into: y)
    }

    /// x = W_effᵀ y.
    func applyTransposed(_ y: Tensor, into x: Tensor) throws {
        try layer.applyTransposed(weight: layer.weight.value, to: y, into: x)
    }

    /// x = W_effᵀ y for y of which a fraction `density` is non-zero: event-driven below the
    /// adjoint crossover.
    func applyTransposed(_ y: Tensor, density: Float, into x: Tensor) throws {
        try events.adjoint(y, density: density, into: x)
    }

    /// ∂L/∂W_eff += (masked output gradient) ⊗ input.
    func accumulateGradient(input x: Tensor, maskedOutputGradient dy: Tensor) throws {
        try layer.accumulateWeightGradient(input: x, outputGradient: dy, into: layer.weight.gradient)
    }

    /// ∂L/∂W_eff += (masked output gradient) ⊗ s for binary spikes s of which a fraction
    /// `density` is 1: event-driven below the weight-gradient crossover.
    func accumulateGradient(spikes s: Tensor, density: Float, maskedOutputGradient dy: Tensor) throws {
        try events.accumulateWeightGradient(spikes: s, density: density, outputGradient: dy, into: layer.weight.gradient)
    }

    /// ∂L/∂W_eff += (masked output gradient) ⊗ a for rates a (most of them 0 in silent layers).
    func accumulateGradient(rates a: Tensor, maskedOutputGradient dy: Tensor) throws {
        try events.accumulateWeightGradient(sparse: a, density: a.density(), outputGradient: dy,
                                            into: layer.weight.gradient)
    }

    /// Maps the accumulated ∂L/∂W_eff to ∂L/∂W_raw and ∂L/∂g (spec §4.7).
    func finishBackward() throws {
        try spectralNorm.backward(effectiveWeightGradient: layer.weight.gradient)
    }
}
