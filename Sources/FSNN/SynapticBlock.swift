import Layers
import Tensor

/// conv/FC (+ bias) → BatchNorm → variational dropout: the input branch F and the loop layers
/// F₂…F₅ (spec §5 "Order inside a block", §6.2, §6.3).
public final class SynapticBlock: ParameterContainer {
    public let layer: any AffineLayer
    public let norm: BatchNorm
    public let dropout: VariationalDropout

    /// The layer's event-driven products (loop layers read spikes).
    private(set) lazy var events = EventDrivenProducts(layer: layer)

    public init(layer: any AffineLayer, dropout probability: Float) throws {
        self.layer = layer
        norm = BatchNorm(channels: layer.outputSampleShape[0])
        dropout = try VariationalDropout(probability: probability)
    }

    public var inputSampleShape: [Int] { layer.inputSampleShape }
    public var outputSampleShape: [Int] { layer.outputSampleShape }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        layer.namedParameters(prefix: "layer") + norm.namedParameters(prefix: "bn")
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] { norm.namedBuffers(prefix: "bn") }

    /// New dropout mask for a batch of `batchSize` in training, none in evaluation.
    func prepare(batchSize: Int, phase: Phase, generator: inout RandomGenerator) {
        switch phase {
        case .training: dropout.resample(shape: [batchSize] + outputSampleShape, using: &generator)
        case .evaluation: dropout.deactivate()
        }
        events.prepare()
    }

    /// z = layer(s) for binary spikes s of which a fraction `density` is 1, event-driven below the
    /// forward crossover.
    func forward(spikes s: Tensor, density: Float, into z: Tensor) throws {
        try events.forward(spikes: s, density: density, into: z)
    }

    /// z = layer(a) for rates a of which a fraction `density` is not 0 (the map's loop layers).
    func forward(rates a: Tensor, density: Float, into z: Tensor) throws {
        try events.forward(sparse: a, density: density, into: z)
    }

    /// y = mask ⊙ BN(z) for a pre-activation z = layer(x) (y may be z), saving BN's state for
    /// `backward` in `saved` when given.
    func normalize(_ z: Tensor, into y: Tensor, mode: BatchNorm.Mode, saving saved: BatchNorm.Saved? = nil) throws {
        try norm.forward(z, into: y, mode: mode, saving: saved)
        try dropout.apply(y)
    }

    /// VJP of the layer followed by `normalize` at input x, for the gradient dy of the block's
    /// output and BN's `saved` state: accumulates the layer's and BN's parameter gradients; the
    /// input gradient is written when `dx` is given. dy is overwritten in place, through the
    /// dropout mask and BN, by the gradient of the pre-activation.
    func backward(input x: Tensor, outputGradient dy: Tensor, saved: BatchNorm.Saved, inputGradient dx: Tensor?) throws {
        try dropout.backward(outputGradient: dy, inputGradient: dy)
        try norm.backward(outputGradient: dy, saved: saved, inputGradient: dy)
        try layer.backward(input: x, outputGradient: dy, inputGradient: dx)
    }

    /// x = layerᵀ y (no bias) for y of which a fraction `density` is non-zero: event-driven below
    /// the adjoint crossover.
    func applyTransposed(_ y: Tensor, density: Float, into x: Tensor) throws {
        try events.adjoint(y, density: density, into: x)
    }

    /// `backward` at an input x of which a fraction `density` is not 0 — binary spikes, or rates
    /// when `binary` is false — with the layer's weight gradient event-driven below its crossover
    /// (the input gradient, when asked, stays dense: BN's VJP mixes every entry).
    func backward(sparseInput x: Tensor, binary: Bool, density: Float, outputGradient dy: Tensor,
                  saved: BatchNorm.Saved, inputGradient dx: Tensor?) throws {
        try dropout.backward(outputGradient: dy, inputGradient: dy)
        try norm.backward(outputGradient: dy, saved: saved, inputGradient: dy)
        if binary {
            try events.accumulateWeightGradient(spikes: x, density: density, outputGradient: dy, into: layer.weight.gradient)
        } else {
            try events.accumulateWeightGradient(sparse: x, density: density, outputGradient: dy, into: layer.weight.gradient)
        }
        try layer.accumulateBiasGradient(outputGradient: dy)
        if let dx { try layer.applyTransposed(weight: layer.weight.value, to: dy, into: dx) }
    }
}
