import Tensor

/// A 2-d convolution, PyTorch's `nn.Conv2d` with square stride and padding: x [N, C, H, W] →
/// y [N, O, outH, outW] with outH = ⌊(H + 2p − kh)/s⌋ + 1, weight OIHW [O, C, kh, kw] and bias [O].
/// The input size is fixed at construction (the model zoo always knows it), which fixes the
/// sample shapes and lets the layer keep its im2col workspaces (see `ConvolutionKernels`).
///
/// A layer instance is not thread-safe: its workspaces serve one call at a time.
public final class Conv2d: AffineLayer {
    public let weight: Parameter
    public let bias: Parameter?
    public let outputChannels: Int
    private let kernels: ConvolutionKernels

    /// - Parameters:
    ///   - inputChannels, outputChannels: C and O.
    ///   - kernelSize: (kh, kw).
    ///   - stride, padding: the same along both spatial axes.
    ///   - bias: whether the layer adds a bias [O].
    ///   - inputSize: (H, W) of the input maps.
    ///   - initialization: how weight and bias are drawn from `generator`.
    /// - Throws: `TensorError.invalidShape` for non-positive extents or a kernel larger than the
    ///   padded input.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: (height: Int, width: Int),
                stride: Int = 1, padding: Int = 0, bias: Bool = true, inputSize: (height: Int, width: Int),
                initialization: WeightInitialization, generator: inout RandomGenerator) throws(TensorError) {
        let geometry = try ConvolutionGeometry(
            channels: inputChannels, height: inputSize.height, width: inputSize.width,
            kernelHeight: kernelSize.height, kernelWidth: kernelSize.width, stride: stride, padding: padding)
        guard outputChannels > 0 else {
            throw .invalidShape(operation: "Conv2d(\(inputChannels)→\(outputChannels))",
                                shape: [outputChannels], reason: "output channels must be positive")
        }
        self.outputChannels = outputChannels
        kernels = ConvolutionKernels(geometry: geometry, mapChannels: outputChannels)
        weight = Parameter(Tensor(zeros: [outputChannels, inputChannels, kernelSize.height, kernelSize.width]))
        self.bias = bias ? Parameter(Tensor(zeros: [outputChannels])) : nil
        initialization.initialize(weight: weight.value, bias: self.bias?.value, unitAxis: 0, using: &generator)
    }

    /// Input size, kernel, stride and padding.
    public var geometry: ConvolutionGeometry { kernels.geometry }
    public var inputSampleShape: [Int] { kernels.imageShape }
    public var outputSampleShape: [Int] { kernels.mapShape }
    public var multiplyAddsPerSample: Int { kernels.multiplyAddsPerSample }

    public var description: String {
        let g = geometry
        return "Conv2d(\(g.channels)→\(outputChannels), kernel \(g.kernelHeight)×\(g.kernelWidth), "
            + "stride \(g.stride), padding \(g.padding), input \(g.height)×\(g.width)\(bias == nil ? ", no bias" : ""))"
    }

    // MARK: LinearMap

    /// y = W ⋆ x (no bias), one sgemm per chunk of samples.
    public func apply(weight w: Tensor, to x: Tensor, into y: Tensor) throws(TensorError) {
        _ = try checkOperands(weight: w, source: x, inputSampleShape, "input", target: y, outputSampleShape, "output")
        kernels.convolve(weight: w, images: x, into: y)
    }

    /// x = A_Wᵀ y: the input gradient for output gradient y.
    public func applyTransposed(weight w: Tensor, to y: Tensor, into x: Tensor) throws(TensorError) {
        _ = try checkOperands(weight: w, source: y, outputSampleShape, "output gradient",
                              target: x, inputSampleShape, "input gradient")
        kernels.convolveTransposed(weight: w, maps: y, into: x)
    }

    /// dW [O, C, kh, kw] += Σ_n dy[n] · im2col(x[n])ᵀ
    public func accumulateWeightGradient(input x: Tensor, outputGradient dy: Tensor, into dW: Tensor) throws(TensorError) {
        _ = try checkOperands(weight: dW, "weight gradient", source: x, inputSampleShape, "input",
                              target: dy, outputSampleShape, "output gradient")
        kernels.accumulateWeightGradient(images: x, mapGradient: dy, into: dW)
    }

    // MARK: Synapse table

    public var synapseTable: SynapseTable { .convolution(geometry, outputChannels: outputChannels) }

    /// OIHW [out, in, ky, kx] → [in, ky, kw − 1 − kx, out] (mirrored along x, as the table's taps).
    public func writeInputMajor(_ weight: Tensor, into relaid: Tensor) {
        let w = weight.pointer, r = relaid.pointer
        let (ci, co, kw) = (geometry.channels, outputChannels, geometry.kernelWidth)
        let t = geometry.kernelHeight * kw
        for o in 0..<co {
            for i in 0..<ci {
                for k in 0..<t {
                    let mirrored = k - k % kw + (kw - 1 - k % kw)
                    r[(i * t + mirrored) * co + o] = w[(o * ci + i) * t + k]
                }
            }
        }
    }

    /// A_Wᵀ is the transposed convolution of the same geometry.
    public var transposedSynapseTable: SynapseTable { .transposedConvolution(geometry, inputChannels: outputChannels) }

    /// OIHW [out, in, ky, kx] → [out, ky·kw + kx, in]
    public func writeOutputMajor(_ weight: Tensor, into relaid: Tensor) {
        let w = weight.pointer, r = relaid.pointer
        let (ci, co, t) = (geometry.channels, outputChannels, geometry.kernelHeight * geometry.kernelWidth)
        for o in 0..<co { for i in 0..<ci { for k in 0..<t { r[(o * t + k) * ci + i] = w[(o * ci + i) * t + k] } } }
    }
}
