import Tensor

/// A fully connected layer, PyTorch's `nn.Linear`: y = x Wᵀ + b for x [N, in], W [out, in],
/// b [out], y [N, out]. Each map is one sgemm over the whole batch.
public final class Linear: AffineLayer {
    public let weight: Parameter
    public let bias: Parameter?
    public let inputFeatures: Int
    public let outputFeatures: Int

    /// - Parameters:
    ///   - inputFeatures, outputFeatures: positive extents of a sample before and after the map.
    ///   - bias: whether the layer adds a bias [out].
    ///   - initialization: how weight and bias are drawn from `generator`.
    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true,
                initialization: WeightInitialization, generator: inout RandomGenerator) {
        precondition(inputFeatures > 0 && outputFeatures > 0,
                     "Linear needs positive feature counts, got \(inputFeatures)→\(outputFeatures)")
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        weight = Parameter(Tensor(zeros: [outputFeatures, inputFeatures]))
        self.bias = bias ? Parameter(Tensor(zeros: [outputFeatures])) : nil
        initialization.initialize(weight: weight.value, bias: self.bias?.value, unitAxis: 0, using: &generator)
    }

    public var inputSampleShape: [Int] { [inputFeatures] }
    public var outputSampleShape: [Int] { [outputFeatures] }
    public var multiplyAddsPerSample: Int { inputFeatures * outputFeatures }

    public var description: String {
        "Linear(\(inputFeatures)→\(outputFeatures)\(bias == nil ? ", no bias" : ""))"
    }

    // MARK: LinearMap

    /// y [N, out] = x [N, in] · Wᵀ
    public func apply(weight w: Tensor, to x: Tensor, into y: Tensor) throws(TensorError) {
        let n = try checkOperands(weight: w, source: x, inputSampleShape, "input",
                                  target: y, outputSampleShape, "output")
        BLAS.gemm(transposeB: true, m: n, n: outputFeatures, k: inputFeatures, a: x.pointer, lda: inputFeatures,
                  b: w.pointer, ldb: inputFeatures, c: y.pointer, ldc: outputFeatures)
    }

    /// x [N, in] = y [N, out] · W
    public func applyTransposed(weight w: Tensor, to y: Tensor, into x: Tensor) throws(TensorError) {
        let n = try checkOperands(weight: w, source: y, outputSampleShape, "output gradient",
                                  target: x, inputSampleShape, "input gradient")
        BLAS.gemm(m: n, n: inputFeatures, k: outputFeatures, a: y.pointer, lda: outputFeatures,
                  b: w.pointer, ldb: inputFeatures, c: x.pointer, ldc: inputFeatures)
    }

    /// dW [out, in] += dyᵀ · x
    public func accumulateWeightGradient(input x: Tensor, outputGradient dy: Tensor, into dW: Tensor) throws(TensorError) {
        let n = try checkOperands(weight: dW, "weight gradient", source: x, inputSampleShape, "input",
                                  target: dy, outputSampleShape, "output gradient")
        BLAS.gemm(transposeA: true, m: outputFeatures, n: inputFeatures, k: n, a: dy.pointer, lda: outputFeatures,
                  b: x.pointer, ldb: inputFeatures, beta: 1, c: dW.pointer, ldc: inputFeatures)
    }

    // MARK: Synapse table

    public var synapseTable: SynapseTable { .fullyConnected(inputs: inputFeatures, outputs: outputFeatures) }

    /// [out, in] → [in, 1, out]
    public func writeInputMajor(_ weight: Tensor, into relaid: Tensor) {
        let w = weight.pointer, r = relaid.pointer
        for o in 0..<outputFeatures { for i in 0..<inputFeatures { r[i * outputFeatures + o] = w[o * inputFeatures + i] } }
    }

    public var transposedSynapseTable: SynapseTable { .fullyConnected(inputs: outputFeatures, outputs: inputFeatures) }

    /// [out, in] is already output-major.
    public func writeOutputMajor(_ weight: Tensor, into relaid: Tensor) {
        relaid.pointer.update(from: weight.pointer, count: weight.count)
    }
}
