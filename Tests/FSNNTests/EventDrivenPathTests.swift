import Layers
import Testing
import Tensor
import TestSupport
@testable import FSNN

/// Whole training steps take the same gradients whichever path each product takes: every
/// event-driven product forced on (crossovers above 1) against every one forced off (0), on the
/// same network, batch and masks. Relative 1e-5 per gradient (only Float32 summation orders
/// differ). A gradient that vanishes identically — the bias before a train-mode BN, whose output
/// does not depend on it — is Float32 rounding noise on both paths: it must stay below 1e-6 of
/// the largest gradient on both. For every gradient method, single-layer
/// (FC and conv, static and spike input) and the AlexNet-F pattern (three conv layers,
/// transposed feedback).
@Suite struct EventDrivenPathTests {
    enum Topology: String, CaseIterable, Sendable {
        case fullyConnected, convolutional, spikeInput, threeLayerChain
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let topology: Topology
        let method: TrainingMethod
        var testDescription: String { "\(topology.rawValue), \(method.rawValue)" }
    }

    static let cases = Topology.allCases.flatMap { t in TrainingMethod.allCases.map { Case(topology: t, method: $0) } }

    static func network(_ topology: Topology, generator g: inout RandomGenerator) throws -> (FeedbackNetwork, NetworkInput) {
        func conv(_ i: Int, _ o: Int, stride: Int = 1, size: Int, bias: Bool = true) throws -> Conv2d {
            try Conv2d(inputChannels: i, outputChannels: o, kernelSize: (3, 3), stride: stride, padding: 1, bias: bias,
                       inputSize: (size, size), initialization: .uniformUnitNorm, generator: &g)
        }
        let steps = 12, batch = 4
        switch topology {
        case .fullyConnected, .spikeInput:
            let network = try tinySingleLayerNetwork(neuron: .leaky(lambda: 0.9), threshold: 1, steps: steps,
                                                     inputKind: topology == .spikeInput ? .spikeFrames : .staticImage,
                                                     inputs: 30, hidden: 40, classes: 3, generator: &g)
            if topology == .spikeInput {
                let frames = Tensor(zeros: [batch, steps, 30])
                for i in 0..<frames.count { frames.pointer[i] = g.nextBernoulli(0.3) ? 1 : 0 }
                return (network, .spikes(frames))
            }
            let x = Tensor(zeros: [batch, 30])
            x.fillNormal(using: &g)
            return (network, .image(x))
        case .convolutional:
            let network = FeedbackNetwork(
                neuron: .integrateAndFire, threshold: 1, timeSteps: steps, quirks: [],
                input: try SynapticBlock(layer: conv(1, 6, size: 8), dropout: 0.2), inputKind: .staticImage,
                feedback: try FeedbackConnection(layer: conv(6, 6, size: 8, bias: false), estimate: .operatorNorm,
                                                 dropout: 0.2, generator: &g),
                classifier: Linear(inputFeatures: 6 * 64, outputFeatures: 3, initialization: .pytorchDefault, generator: &g))
            let x = Tensor(zeros: [batch, 1, 8, 8])
            x.fillNormal(using: &g)
            return (network, .image(x))
        case .threeLayerChain:
            let first = try SynapticBlock(layer: conv(1, 4, size: 8), dropout: 0.2)
            let loop = [try SynapticBlock(layer: conv(4, 6, size: 8), dropout: 0.2),
                        try SynapticBlock(layer: conv(6, 4, stride: 2, size: 8), dropout: 0.2)]
            let feedback = try ConvTranspose2d(inputChannels: 4, outputChannels: 4, kernelSize: (3, 3), stride: 2,
                                               padding: 1, outputPadding: 1, inputSize: (4, 4),
                                               initialization: .uniformUnitNorm, generator: &g)
            let network = FeedbackNetwork(
                neuron: .leaky(lambda: 0.9), threshold: 1, timeSteps: steps, quirks: [], input: first,
                inputKind: .staticImage, loop: loop,
                feedback: try FeedbackConnection(layer: feedback, estimate: .operatorNorm, dropout: 0.2, generator: &g),
                classifier: Linear(inputFeatures: 64, outputFeatures: 3, initialization: .pytorchDefault, generator: &g))
            let x = Tensor(zeros: [batch, 1, 8, 8])
            x.fillNormal(using: &g)
            x.scale(by: 2)
            return (network, .image(x))
        }
    }

    @Test(arguments: cases)
    func gradientsDoNotDependOnThePath(case c: Case) throws {
        func gradients(eventDriven: Bool) throws -> (FeedbackNetwork, [String: [Double]], Float) {
            var generator = RandomGenerator(seed: 61)
            let (network, input) = try Self.network(c.topology, generator: &generator)
            let limit: Float = eventDriven ? 2 : 0
            for products in network.eventDrivenProducts {
                products.crossovers = .all(limit)
            }
            let report = try gradientOnlyTrainer(network) { $0.method = c.method }
                .trainStep(input, labels: [0, 1, 2, 1])
            let values = Dictionary(uniqueKeysWithValues: network.namedParameters.map {
                ($0.name, doubles($0.parameter.gradient))
            })
            return (network, values, report.loss)
        }
        let (_, dense, denseLoss) = try gradients(eventDriven: false)
        let (network, _, eventLoss) = try gradients(eventDriven: true)
        #expect(denseLoss == eventLoss, "the forward's spikes must not depend on the path")
        let global = dense.values.flatMap { $0 }.map(abs).max() ?? 0
        for (name, parameter) in network.namedParameters {
            let expected = dense[name]!, ours = doubles(parameter.gradient)
            if (expected.map(abs).max() ?? 0) < 1e-6 * global {
                #expect((ours.map(abs).max() ?? 0) < 1e-6 * global, "\(name) must vanish on both paths")
            } else {
                let error = relativeError(ours, expected)
                #expect(error <= 1e-5, "\(name): relative error \(error)")
            }
        }
        #expect(dense["feedback.weight_raw"]!.contains { $0 != 0 }, "the feedback must learn")
    }
}
