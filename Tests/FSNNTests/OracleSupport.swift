import FSNN
import Layers
import Tensor
import TestSupport

/// A network's parameters as one Float64 vector (in `namedParameters` order) and back, so that a
/// reference function of all parameters can be differentiated by central differences.
struct ParameterVector {
    let names: [String]
    let counts: [Int]
    let values: [Double]

    init(_ parameters: [(name: String, parameter: Parameter)]) {
        names = parameters.map(\.name)
        counts = parameters.map { $0.parameter.value.count }
        values = parameters.flatMap { $0.parameter.value.scalars.map(Double.init) }
    }

    /// The named slices of a vector laid out like `values`.
    func unpack(_ vector: [Double]) -> [String: [Double]] {
        var result: [String: [Double]] = [:]
        var offset = 0
        for (name, count) in zip(names, counts) {
            result[name] = Array(vector[offset..<offset + count])
            offset += count
        }
        return result
    }
}

/// The largest relative error over every named gradient against the expected ones:
/// max|ours − expected| / max|expected| per tensor. A gradient that vanishes identically — the
/// bias in front of a train-mode BN, whose output does not depend on it — has only rounding noise
/// as its reference (max|expected| < 10⁻⁸·G, with G the largest expected entry of all tensors);
/// it is measured against G instead, i.e. with the same 1e-4 as an absolute tolerance on the
/// network's gradient scale.
func worstGradientError(_ parameters: [(name: String, parameter: Parameter)], expected: [String: [Double]])
    -> (name: String, error: Double) {
    let global = expected.values.flatMap { $0 }.map(abs).max() ?? 0
    return parameters.map { name, parameter -> (String, Double) in
        let reference = expected[name] ?? []
        let ours = doubles(parameter.gradient)
        guard ours.count == reference.count else { return (name, .infinity) }
        let largest = reference.map(abs).max() ?? 0
        let scale = largest < 1e-8 * global ? global : largest
        let difference = zip(ours, reference).map { abs($0 - $1) }.max() ?? 0
        return (name, scale > 0 ? difference / scale : difference)
    }.max { $0.1 < $1.1 } ?? ("", 0)
}

/// A trainer with learning rate, momentum and weight decay 0: one `trainStep` computes the
/// gradients and leaves the parameters (and their gradients) in place for the oracles.
func gradientOnlyTrainer(_ network: FeedbackNetwork,
                         configure: (inout TrainingConfiguration) -> Void = { _ in }) throws -> Trainer {
    var configuration = TrainingConfiguration(model: .fmnistF400, timeSteps: network.timeSteps)
    configuration.learningRate = 0
    configuration.momentum = 0
    configuration.weightDecay = 0
    configure(&configuration)
    return try Trainer(configuration: configuration, network: network, dropoutGenerator: RandomGenerator(seed: 5))
}

/// A tiny fully connected single-layer network for the oracles: Linear inputs→hidden + BN +
/// dropout 0.2, spectrally normalised Linear feedback hidden→hidden with dropout 0.2 and the gain
/// set to 0.7 (inside the clamp, so g gets a gradient), classifier hidden→classes; the input block
/// reads static inputs [B, inputs] or spike frames [B, T, inputs].
func tinySingleLayerNetwork(neuron: NeuronModel, threshold: Float, steps: Int, quirks: Set<Quirk> = [],
                            inputKind: InputKind = .staticImage, inputs: Int, hidden: Int, classes: Int,
                            generator: inout RandomGenerator) throws -> FeedbackNetwork {
    let network = FeedbackNetwork(
        neuron: neuron, threshold: threshold, timeSteps: steps, quirks: quirks,
        input: try SynapticBlock(layer: Linear(inputFeatures: inputs, outputFeatures: hidden,
                                               initialization: .uniformUnitNorm, generator: &generator), dropout: 0.2),
        inputKind: inputKind,
        feedback: try FeedbackConnection(layer: Linear(inputFeatures: hidden, outputFeatures: hidden, bias: false,
                                                       initialization: .uniformUnitNorm, generator: &generator),
                                         estimate: .operatorNorm, dropout: 0.2, generator: &generator),
        classifier: Linear(inputFeatures: hidden, outputFeatures: classes, initialization: .pytorchDefault,
                           generator: &generator))
    network.feedback.spectralNorm.gain.value.pointer[0] = 0.7
    return network
}

/// A three-layer conv chain with the AlexNet-F pattern on 1×4×4 inputs: conv 1→2 (stride 1), loop
/// convs 2→3 (stride 1) and 3→2 (stride 2, 2×2 output), a stride-2 transposed-conv feedback with
/// output padding back to 2×4×4 (gain 0.8), dropout 0.2 throughout, classifier 8→classes.
func tinyConvolutionalChain(neuron: NeuronModel, threshold: Float, steps: Int, quirks: Set<Quirk> = [], classes: Int,
                            generator: inout RandomGenerator) throws -> FeedbackNetwork {
    func conv(_ i: Int, _ o: Int, stride: Int, size: Int) throws -> Conv2d {
        try Conv2d(inputChannels: i, outputChannels: o, kernelSize: (3, 3), stride: stride, padding: 1,
                   inputSize: (size, size), initialization: .uniformUnitNorm, generator: &generator)
    }
    let first = try SynapticBlock(layer: conv(1, 2, stride: 1, size: 4), dropout: 0.2)
    let loop = [try SynapticBlock(layer: conv(2, 3, stride: 1, size: 4), dropout: 0.2),
                try SynapticBlock(layer: conv(3, 2, stride: 2, size: 4), dropout: 0.2)]
    let feedbackLayer = try ConvTranspose2d(inputChannels: 2, outputChannels: 2, kernelSize: (3, 3), stride: 2,
                                            padding: 1, outputPadding: 1, inputSize: (2, 2),
                                            initialization: .uniformUnitNorm, generator: &generator)
    let network = FeedbackNetwork(
        neuron: neuron, threshold: threshold, timeSteps: steps, quirks: quirks,
        input: first, inputKind: .staticImage, loop: loop,
        feedback: try FeedbackConnection(layer: feedbackLayer, estimate: .operatorNorm, dropout: 0.2,
                                         generator: &generator),
        classifier: Linear(inputFeatures: 8, outputFeatures: classes, initialization: .pytorchDefault,
                           generator: &generator))
    network.feedback.spectralNorm.gain.value.pointer[0] = 0.8
    return network
}
