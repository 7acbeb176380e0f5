import Tensor

/// A 2-d transposed convolution, PyTorch's `nn.ConvTranspose2d` with square stride and padding
/// and no bias: x [N, I, h, w] → y [N, O, H, W] with H = (h − 1)·s − 2p + kh + output_padding,
/// weight IOHW [I, O, kh, kw] exactly as PyTorch stores it.
///
/// It is the adjoint of the convolution O → I with the same kernel, stride and padding on H×W
/// inputs, whose OIHW weight is this layer's [I, O, kh, kw]: so `apply` is that convolution's
/// input gradient, `applyTransposed` its forward, and they share `ConvolutionKernels`.
/// output_padding (< stride) only selects which of the s input sizes H that the convolution maps
/// to h is meant.
///
/// A layer instance is not thread-safe: its workspaces serve one call at a time.
public final class ConvTranspose2d: AffineLayer {
    public let weight: Parameter
    /// Always nil: the paper's feedback layers have no bias.
    public let bias: Parameter? = nil
    public let inputChannels: Int
    public let outputPadding: Int
    /// The convolution O → I this layer transposes.
    private let kernels: ConvolutionKernels

    /// - Parameters:
    ///   - inputChannels, outputChannels: I and O.
    ///   - kernelSize: (kh, kw).
    ///   - stride, padding: the same along both spatial axes.
    ///   - outputPadding: extra rows and columns at the bottom and right of the output, < stride.
    ///   - inputSize: (h, w) of the input maps.
    ///   - initialization: how the weight is drawn from `generator`.
    /// - Throws: `TensorError.invalidShape` for non-positive extents, output_padding ≥ stride, or
    ///   an empty output.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: (height: Int, width: Int),
                stride: Int = 1, padding: Int = 0, outputPadding: Int = 0, inputSize: (height: Int, width: Int),
                initialization: WeightInitialization, generator: inout RandomGenerator) throws(TensorError) {
        let operation = "ConvTranspose2d(\(inputChannels)→\(outputChannels), kernel \(kernelSize.height)×\(kernelSize.width), "
            + "stride \(stride), padding \(padding), output padding \(outputPadding))"
        let inputShape = [inputChannels, inputSize.height, inputSize.width]
        guard inputChannels > 0, inputSize.height > 0, inputSize.width > 0, stride > 0,
              outputPadding >= 0, outputPadding < stride else {
            throw .invalidShape(operation: operation, shape: inputShape,
                                reason: "extents and stride must be positive and 0 ≤ output padding < stride")
        }
        func outputExtent(_ input: Int, _ kernel: Int) -> Int { (input - 1) * stride - 2 * padding + kernel + outputPadding }
        let outputHeight = outputExtent(inputSize.height, kernelSize.height)
        let outputWidth = outputExtent(inputSize.width, kernelSize.width)
        guard outputHeight > 0, outputWidth > 0 else {
            throw .invalidShape(operation: operation, shape: inputShape,
                                reason: "empty output \(outputHeight)×\(outputWidth)")
        }
        let geometry = try ConvolutionGeometry(
            channels: outputChannels, height: outputHeight, width: outputWidth,
            kernelHeight: kernelSize.height, kernelWidth: kernelSize.width, stride: stride, padding: padding)
        // With 0 ≤ output_padding < stride, ⌊((h − 1)·s + output_padding)/s⌋ + 1 = h: the
        // convolution maps the output size back to the input size.
        self.inputChannels = inputChannels
        self.outputPadding = outputPadding
        kernels = ConvolutionKernels(geometry: geometry, mapChannels: inputChannels)
        weight = Parameter(Tensor(zeros: [inputChannels, outputChannels, kernelSize.height, kernelSize.width]))
        initialization.initialize(weight: weight.value, bias: nil, unitAxis: 1, using: &generator)
    }

    /// The geometry of the transposed convolution: its image is this layer's output.
    public var geometry: ConvolutionGeometry { kernels.geometry }
    public var outputChannels: Int { geometry.channels }
    public var inputSampleShape: [Int] { kernels.mapShape }
    public var outputSampleShape: [Int] { kernels.imageShape }
    public var multiplyAddsPerSample: Int { kernels.multiplyAddsPerSample }

    public var description: String {
        let g = geometry
        return "ConvTranspose2d(\(inputChannels)→\(outputChannels), kernel \(g.kernelHeight)×\(g.kernelWidth), "
            + "stride \(g.stride), padding \(g.padding), output padding \(outputPadding), "
            + "input \(g.outputHeight)×\(g.outputWidth))"
    }

    // MARK: LinearMap

    /// y = A_Wᵀ x, the adjoint of the convolution O → I.
    public func apply(weight w: Tensor, to x: Tensor, into y: Tensor) throws(TensorError) {
        _ = try checkOperands(weight: w, source: x, inputSampleShape, "input", target: y, outputSampleShape, "output")
        kernels.convolveTransposed(weight: w, maps: x, into: y)
    }

    /// x = A_W y: the convolution O → I of the output gradient y.
    public func applyTransposed(weight w: Tensor, to y: Tensor, into x: Tensor) throws(TensorError) {
        _ = try checkOperands(weight: w, source: y, outputSampleShape, "output gradient",
                              target: x, inputSampleShape, "input gradient")
        kernels.convolve(weight: w, images: y, into: x)
    }

    /// dW [I, O, kh, kw] += Σ_n x[n] · im2col(dy[n])ᵀ: since ⟨dy, A_Wᵀ x⟩ = ⟨A_W dy, x⟩, this is
    /// the convolution's weight gradient with dy as its input and x as its output gradient.
    public func accumulateWeightGradient(input x: Tensor, outputGradient dy: Tensor, into dW: Tensor) throws(TensorError) {
        _ = try checkOperands(weight: dW, "weight gradient", source: x, inputSampleShape, "input",
                              target: dy, outputSampleShape, "output gradient")
        kernels.accumulateWeightGradient(images: dy, mapGradient: x, into: dW)
    }

    // MARK: Synapse table

    public var synapseTable: SynapseTable { .transposedConvolution(geometry, inputChannels: inputChannels) }

    /// IOHW [in, out, ky, kx] → [in, ky·kw + kx, out]
    public func writeInputMajor(_ weight: Tensor, into relaid: Tensor) {
        let w = weight.pointer, r = relaid.pointer
        let (ci, co, t) = (inputChannels, outputChannels, geometry.kernelHeight * geometry.kernelWidth)
        for i in 0..<ci { for o in 0..<co { for k in 0..<t { r[(i * t + k) * co + o] = w[(i * co + o) * t + k] } } }
    }

    /// A_Wᵀ is the convolution O → I of the same geometry (taps mirrored along x, as its table's).
    public var transposedSynapseTable: SynapseTable { .convolution(geometry, outputChannels: inputChannels) }

    /// IOHW [in, out, ky, kx] → [out, ky, kw − 1 − kx, in]: the convolution O → I's input-major layout.
    public func writeOutputMajor(_ weight: Tensor, into relaid: Tensor) {
        let w = weight.pointer, r = relaid.pointer
        let (ci, co, kw) = (inputChannels, outputChannels, geometry.kernelWidth)
        let t = geometry.kernelHeight * kw
        for i in 0..<ci {
            for o in 0..<co {
                for k in 0..<t {
                    let mirrored = k - k % kw + (kw - 1 - k % kw)
                    r[(o * t + mirrored) * ci + i] = w[(i * co + o) * t + k]
                }
            }
        }
    }
}
