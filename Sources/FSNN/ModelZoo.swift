import Layers
import Tensor

/// The paper's networks by name, built exactly as spec §5 with the counts of §12.1.
public enum ModelZoo {
    /// Shape of one input sample the model takes (images as the datasets deliver them).
    public static func inputShape(of model: ModelName) -> [Int] {
        switch model {
        case .fmnistF400, .mnist64C5sF64C5: return [1, 28, 28]
        case .nmnist64C5sF64C5P1, .nmnist64C5sF64C5P2: return [2, 34, 34]
        case .alexnetF, .cifarnetF: return [3, 32, 32]
        }
    }

    /// Whether the model takes spike frames [T, C, H, W] per sample rather than a static image.
    public static func takesSpikes(_ model: ModelName) -> Bool {
        model == .nmnist64C5sF64C5P1 || model == .nmnist64C5sF64C5P2
    }

    /// Builds the network for `configuration`, drawing every initial weight, u and v from
    /// `generator` in a fixed order (input branch, feedback, loop layers, classifier).
    public static func make(_ configuration: TrainingConfiguration,
                            generator: inout RandomGenerator) throws -> FeedbackNetwork {
        let c = configuration
        let estimate: SpectralNorm.Estimate = c.has(.spectralReshapedKernelNorm) ? .reshapedMatrix : .operatorNorm
        func conv(_ input: Int, _ output: Int, kernel: Int, stride: Int, padding: Int, bias: Bool = true,
                  size: Int) throws -> Conv2d {
            try Conv2d(inputChannels: input, outputChannels: output, kernelSize: (kernel, kernel), stride: stride,
                       padding: padding, bias: bias, inputSize: (size, size), initialization: .uniformUnitNorm,
                       generator: &generator)
        }
        let inputKind: InputKind = takesSpikes(c.model) ? .spikeFrames : .staticImage
        func singleLayer(input: any AffineLayer, feedback: any AffineLayer) throws -> FeedbackNetwork {
            let block = try SynapticBlock(layer: input, dropout: c.dropout)
            let connection = try FeedbackConnection(layer: feedback, estimate: estimate, dropout: c.dropout,
                                                    generator: &generator)
            let classifier = Linear(inputFeatures: block.outputSampleShape.reduce(1, *), outputFeatures: c.classCount,
                                        initialization: .pytorchDefault, generator: &generator)
            return FeedbackNetwork(neuron: c.neuron, threshold: c.threshold, timeSteps: c.timeSteps, quirks: c.quirks,
                                   input: block, inputKind: inputKind, feedback: connection, classifier: classifier)
        }
        func multiLayer(channels: [Int]) throws -> FeedbackNetwork {
            let first = try SynapticBlock(layer: conv(3, channels[0], kernel: 3, stride: 2, padding: 1, size: 32),
                                          dropout: c.dropout)
            let feedback = try ConvTranspose2d(inputChannels: channels[4], outputChannels: channels[0], kernelSize: (3, 3),
                                               stride: 2, padding: 1, outputPadding: 1, inputSize: (8, 8),
                                               initialization: .uniformUnitNorm, generator: &generator)
            let connection = try FeedbackConnection(layer: feedback, estimate: estimate, dropout: c.dropout,
                                                    generator: &generator)
            // L2 16×16 → L3 stride 2 → 8×8 → L4 → L5.
            let strides = [1, 2, 1, 1], sizes = [16, 16, 8, 8]
            let loop = try (0..<4).map { i in
                try SynapticBlock(layer: conv(channels[i], channels[i + 1], kernel: 3, stride: strides[i], padding: 1,
                                              size: sizes[i]), dropout: c.dropout)
            }
            let classifier = Linear(inputFeatures: channels[4] * 64, outputFeatures: c.classCount,
                                        initialization: .pytorchDefault, generator: &generator)
            return FeedbackNetwork(neuron: c.neuron, threshold: c.threshold, timeSteps: c.timeSteps, quirks: c.quirks,
                                   input: first, inputKind: inputKind, loop: loop, feedback: connection,
                                   classifier: classifier)
        }

        switch c.model {
        case .fmnistF400:
            let input = Linear(inputFeatures: 784, outputFeatures: 400, initialization: .uniformUnitNorm,
                                   generator: &generator)
            let feedback = Linear(inputFeatures: 400, outputFeatures: 400, bias: false,
                                      initialization: .uniformUnitNorm, generator: &generator)
            return try singleLayer(input: input, feedback: feedback)
        case .mnist64C5sF64C5:
            return try singleLayer(input: conv(1, 64, kernel: 5, stride: 2, padding: 2, size: 28),
                                   feedback: conv(64, 64, kernel: 5, stride: 1, padding: 2, bias: false, size: 14))
        case .nmnist64C5sF64C5P1, .nmnist64C5sF64C5P2:
            // B6: the released script pads by 1 (16×16); the reported counts imply 2 (17×17).
            let padding = c.model == .nmnist64C5sF64C5P1 || c.has(.nmnistInputConvPad1) ? 1 : 2
            let size = (34 + 2 * padding - 5) / 2 + 1
            return try singleLayer(input: conv(2, 64, kernel: 5, stride: 2, padding: padding, size: 34),
                                   feedback: conv(64, 64, kernel: 5, stride: 1, padding: 2, bias: false, size: size))
        case .alexnetF:
            return try multiLayer(channels: [96, 256, 384, 384, 256])
        case .cifarnetF:
            return try multiLayer(channels: [128, 256, 512, 1024, 512])
        }
    }
}
