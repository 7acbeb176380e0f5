import Tensor

/// A layer y = A_W x + b: a `LinearMap` plus an optional bias b with one entry per output channel
/// (the first axis of an output sample, broadcast over the others). `Linear`, `Conv2d` and
/// `ConvTranspose2d` (which has no bias) share the layer-level forward and backward defined here.
public protocol AffineLayer: LinearMap, CustomStringConvertible {
    /// [outputSampleShape[0]], or nil for a layer without bias.
    var bias: Parameter? { get }
    /// Multiply–adds of one application of A_W to one sample, counted as the dense product
    /// (padding included); its adjoint and its weight gradient cost the same.
    var multiplyAddsPerSample: Int { get }
    /// Which outputs each input element reaches through which weight entries (for products that
    /// visit only some of the inputs).
    var synapseTable: SynapseTable { get }
    /// Writes a tensor of the weight's shape as [input channel, tap, output channel], the layout
    /// `synapseTable`'s taps index; `relaid` has inputChannels·taps·outputChannels elements.
    func writeInputMajor(_ weight: Tensor, into relaid: Tensor)
    /// The table of the adjoint A_Wᵀ: which inputs each output element reaches back.
    var transposedSynapseTable: SynapseTable { get }
    /// Writes a tensor of the weight's shape as [output channel, tap, input channel], the layout
    /// `transposedSynapseTable`'s taps index.
    func writeOutputMajor(_ weight: Tensor, into relaid: Tensor)
}

extension AffineLayer {
    /// "weight" and, when present, "bias" (PyTorch's names).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    // MARK: Forward and backward

    /// y = A_W x + b with W = `weight.value`; x is [N] + inputSampleShape, y is [N] + outputSampleShape.
    public func forward(_ x: Tensor, into y: Tensor) throws(TensorError) {
        try apply(weight: weight.value, to: x, into: y)
        if let bias { addBias(bias.value, to: y) }
    }

    /// y = A_W x + b in a new tensor [N] + outputSampleShape.
    public func forward(_ x: Tensor) throws(TensorError) -> Tensor {
        let n = try batchSize(of: x, sampleShape: inputSampleShape, "input")
        let y = Tensor(zeros: [n] + outputSampleShape)
        try forward(x, into: y)
        return y
    }

    /// The vector–Jacobian product of `forward` at input x for output gradient dy:
    /// dx = A_Wᵀ dy (written when `dx` is given), and, accumulated as in PyTorch,
    /// `weight.gradient` += ∂⟨dy, A_W x⟩/∂W and `bias.gradient` += Σ over the batch and the
    /// spatial axes of dy. Every shape is checked before anything is written.
    public func backward(input x: Tensor, outputGradient dy: Tensor, inputGradient dx: Tensor?) throws(TensorError) {
        let n = try batchSize(of: x, sampleShape: inputSampleShape, "input")
        try checkShape(of: dy, [n] + outputSampleShape, "output gradient")
        if let dx { try checkShape(of: dx, [n] + inputSampleShape, "input gradient") }

        try accumulateWeightGradient(input: x, outputGradient: dy, into: weight.gradient)
        if let bias { accumulateBiasGradient(of: dy, into: bias.gradient) }
        if let dx { try applyTransposed(weight: weight.value, to: dy, into: dx) }
    }

    /// `bias.gradient` += Σ over the batch and the spatial axes of dy ([N] + outputSampleShape);
    /// nothing for a layer without bias.
    public func accumulateBiasGradient(outputGradient dy: Tensor) throws(TensorError) {
        _ = try batchSize(of: dy, sampleShape: outputSampleShape, "output gradient")
        if let bias { accumulateBiasGradient(of: dy, into: bias.gradient) }
    }

    // MARK: Bias

    /// Elements of one output channel of one sample (1 for `Linear`, outH·outW for convolutions).
    private var outputChannelLength: Int { outputSampleShape.dropFirst().reduce(1, *) }

    /// y[n, o, …] += b[o]
    private func addBias(_ b: Tensor, to y: Tensor) {
        let channels = b.count, length = outputChannelLength, samples = y.count / (channels * length)
        var row = y.pointer
        for _ in 0..<samples {
            for o in 0..<channels {
                let value = b.pointer[o]
                for i in 0..<length { row[i] += value }
                row += length
            }
        }
    }

    /// db[o] += Σ_{n, …} dy[n, o, …]
    private func accumulateBiasGradient(of dy: Tensor, into db: Tensor) {
        let channels = db.count, length = outputChannelLength, samples = dy.count / (channels * length)
        var row = UnsafePointer(dy.pointer)
        for _ in 0..<samples {
            for o in 0..<channels {
                db.pointer[o] += VectorKernels.sum(row, length)
                row += length
            }
        }
    }

    // MARK: Shape checks shared by the layers

    /// The batch size N of `tensor` after checking that its shape is [N] + sampleShape. A wrong shape
    /// throws `TensorError.shapeMismatch` with the given shape first and the expected one second.
    func batchSize(of tensor: Tensor, sampleShape: [Int], _ role: String) throws(TensorError) -> Int {
        let n = tensor.shape.first ?? 0
        try checkShape(of: tensor, [n] + sampleShape, role)
        return n
    }

    /// Throws `TensorError.shapeMismatch(operation: "<layer> <role>", lhs: given, rhs: expected)`.
    func checkShape(of tensor: Tensor, _ expected: [Int], _ role: String) throws(TensorError) {
        try tensor.checkShape(expected, "\(description) \(role)")
    }

    /// Checks the operands of `apply`, `applyTransposed` or `accumulateWeightGradient`: `w` (the
    /// weight or its gradient) against the layer's weight shape, `source` against
    /// [N] + sourceSampleShape and `target` against [N] + targetSampleShape. Returns N.
    func checkOperands(
        weight w: Tensor, _ weightRole: String = "weight",
        source: Tensor, _ sourceSampleShape: [Int], _ sourceRole: String,
        target: Tensor, _ targetSampleShape: [Int], _ targetRole: String
    ) throws(TensorError) -> Int {
        try checkShape(of: w, weight.shape, weightRole)
        let n = try batchSize(of: source, sampleShape: sourceSampleShape, sourceRole)
        try checkShape(of: target, [n] + targetSampleShape, targetRole)
        return n
    }
}
