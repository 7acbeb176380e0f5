import Foundation
import Layers
import TestSupport
import Testing
import Tensor
@testable import FSNN

/// STBP gradients against a naive Float64 BPTT: the same forward dynamics written scalar by
/// scalar on a reverse-mode tape whose spike node carries the rectangular surrogate (spec §10).
/// Tolerance 1e-4 relative (Float32 against Float64).
@Suite struct BackpropagationThroughTimeTests {
    typealias Node = ScalarTape.Node

    /// The network's parameters as tape leaves, by name.
    struct Leaves {
        let tape: ScalarTape
        let nodes: [String: [Node]]

        init(_ tape: ScalarTape, _ parameters: [(name: String, parameter: Parameter)]) {
            self.tape = tape
            nodes = Dictionary(uniqueKeysWithValues: parameters.map { name, parameter in
                (name, parameter.value.scalars.map { tape.node(Double($0)) })
            })
        }

        subscript(name: String) -> [Node] { nodes[name]! }

        func gradients(of loss: Node) -> [String: [Double]] {
            let adjoint = tape.gradients(of: loss)
            return nodes.mapValues { $0.map { adjoint[$0.id] } }
        }
    }

    /// y[n, o] = Σ_i w[o, i] x[n, i] (+ b[o]).
    static func linear(_ x: [[Node]], _ w: [Node], _ b: [Node]?, outputs: Int) -> [[Node]] {
        let inputs = x[0].count
        return x.map { row in
            (0..<outputs).map { o in
                let terms = (0..<inputs).map { w[o * inputs + $0] * row[$0] }
                return b.map { terms.sum() + $0[o] } ?? terms.sum()
            }
        }
    }

    /// Train-mode BN over [N, C] with biased batch variance, eps 1e-5.
    static func batchNorm(_ z: [[Node]], gamma: [Node], beta: [Node]) -> [[Node]] {
        let n = Double(z.count)
        let columns = (0..<z[0].count).map { c -> [Node] in
            let mean = z.map { $0[c] }.sum() * (1 / n)
            let variance = z.map { ($0[c] - mean) * ($0[c] - mean) }.sum() * (1 / n)
            let scale = (variance + 1e-5).squareRoot()
            return z.map { gamma[c] * (($0[c] - mean) / scale) + beta[c] }
        }
        return z.indices.map { row in columns.map { $0[row] } }
    }

    /// W_eff = clamp(g)·W_raw/(uᵀ W_raw v) with u, v constants (a Linear's operator norm).
    static func effectiveWeight(raw: [Node], gain: Node, u: [Double], v: [Double]) -> [Node] {
        let tape = gain.tape, columns = v.count
        let sigma = raw.indices.map { raw[$0] * (u[$0 / columns] * v[$0 % columns]) }.sum()
        let scale = gain.clampedToUnit() / sigma
        _ = tape
        return raw.map { $0 * scale }
    }

    /// One neuron update m = v + input; s = H(m − θ); v = λ(m − θ s) (detached s in the reset if
    /// asked); the spike's surrogate is the rectangular window unless `sigmoid` gives the
    /// sharpness k of k·σ(kx)(1 − σ(kx)).
    static func neuronStep(membrane v: [[Node]]?, input: [[Node]], lambda: Double, threshold: Double,
                           detachReset: Bool, sigmoid: Double? = nil) -> (spikes: [[Node]], membrane: [[Node]]) {
        let m = v.map { zip($0, input).map { zip($0, $1).map { $0 + $1 } } } ?? input
        let surrogate: (Double) -> Double = sigmoid.map { k in
            { x in let s = 1 / (1 + exp(-k * x)); return k * s * (1 - s) }
        } ?? { abs($0) < 0.5 ? 1 : 0 }
        let s = m.map { $0.map { $0.spike(threshold: threshold, surrogate: surrogate) } }
        let next = zip(m, s).map { zip($0, $1).map { m, s in (m - (detachReset ? s.detached : s) * threshold) * lambda } }
        return (s, next)
    }

    /// Mean cross-entropy of a linear classifier on rates [B][D].
    static func loss(rates: [[Node]], weight: [Node], bias: [Node], labels: [Int], classes: Int) -> Node {
        let logits = linear(rates, weight, bias, outputs: classes)
        let terms = zip(logits, labels).map { row, label in
            row.map { $0.exponential() }.sum().logarithm() - row[label]
        }
        return terms.sum() * (1 / Double(labels.count))
    }

    static func elementwise(_ a: [[Node]], _ mask: [Double]) -> [[Node]] {
        let width = a[0].count
        return a.enumerated().map { n, row in row.enumerated().map { $1 * mask[n * width + $0] } }
    }

    /// Layer 1's input current on the tape, and the feedback's W_eff and mask: m_x ⊙ BN(F x) for a
    /// static image (BN on the batch statistics, on the tape), or per step m_x ⊙ (γ (F x[t] − μ)/σ + β)
    /// for spike frames, with the fixed statistics μ, σ of F x̄ treated as constants (the README's
    /// STBP BN choice).
    struct FirstLayer {
        /// The current of each step t = 1…T at index t − 1 (one entry for a static image).
        private let currents: [[[Node]]]
        let weight: [Node]
        let feedbackMask: [Double]

        init(_ leaves: Leaves, image x: Tensor, input: SynapticBlock, feedback: FeedbackConnection,
             prefix: String) throws {
            let tape = leaves.tape, outputs = input.outputSampleShape[0]
            let image = (0..<x.shape[0]).map { n in (0..<x.shape[1]).map { tape.constant(Double(x[n, $0])) } }
            currents = [BackpropagationThroughTimeTests.elementwise(
                BackpropagationThroughTimeTests.batchNorm(
                    BackpropagationThroughTimeTests.linear(image, leaves["\(prefix).layer.weight"],
                                                           leaves["\(prefix).layer.bias"], outputs: outputs),
                    gamma: leaves["\(prefix).bn.weight"], beta: leaves["\(prefix).bn.bias"]),
                doubles(try #require(input.dropout.mask)))]
            (weight, feedbackMask) = try Self.feedback(leaves, feedback)
        }

        init(_ leaves: Leaves, frames: Tensor, neuron: NeuronModel, input: SynapticBlock, feedback: FeedbackConnection,
             prefix: String) throws {
            let tape = leaves.tape, lambda = Double(neuron.lambda), outputs = input.outputSampleShape[0]
            let (batch, steps, inputs) = (frames.shape[0], frames.shape[1], frames.shape[2])
            let frame = { (t: Int) in (0..<batch).map { b in (0..<inputs).map { tape.constant(Double(frames[b, t, $0])) } } }
            let weight = leaves["\(prefix).layer.weight"], bias = leaves["\(prefix).layer.bias"]
            // Fixed statistics of F x̄ (values, not nodes).
            let normaliser = (0..<steps).reduce(0.0) { $0 + pow(lambda, Double($1)) }
            let average = (0..<batch).map { b in (0..<inputs).map { i in
                tape.constant((0..<steps).reduce(0.0) { $0 + pow(lambda, Double(steps - 1 - $1)) * Double(frames[b, $1, i]) } / normaliser)
            } }
            let zBar = BackpropagationThroughTimeTests.linear(average, weight, bias, outputs: outputs)
            let statistics = (0..<outputs).map { c -> (mean: Double, deviation: Double) in
                let column = zBar.map { $0[c].value }
                let mean = column.reduce(0, +) / Double(batch)
                let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(batch - 1)
                return (mean, (variance + 1e-8).squareRoot())
            }
            let gamma = leaves["\(prefix).bn.weight"], beta = leaves["\(prefix).bn.bias"]
            let mask = doubles(try #require(input.dropout.mask))
            currents = (0..<steps).map { t in
                let z = BackpropagationThroughTimeTests.linear(frame(t), weight, bias, outputs: outputs)
                return BackpropagationThroughTimeTests.elementwise(z.map { row in row.enumerated().map { c, value in
                    gamma[c] * ((value + (-statistics[c].mean)) * (1 / statistics[c].deviation)) + beta[c]
                } }, mask)
            }
            (self.weight, feedbackMask) = try Self.feedback(leaves, feedback)
        }

        /// I[t] for t = 1…T.
        func current(step t: Int) -> [[Node]] { currents[currents.count == 1 ? 0 : t - 1] }

        private static func feedback(_ leaves: Leaves, _ feedback: FeedbackConnection) throws -> ([Node], [Double]) {
            (BackpropagationThroughTimeTests.effectiveWeight(
                raw: leaves["feedback.weight_raw"], gain: leaves["feedback.g"][0],
                u: doubles(feedback.spectralNorm.u), v: doubles(feedback.spectralNorm.v)),
             doubles(try #require(feedback.dropout.mask)))
        }
    }

    /// The loss on the tape from the output layer's λ-weighted spike counts, and the worst
    /// relative error of the network's gradients against the tape's.
    static func compareGradients(_ network: FeedbackNetwork, leaves: Leaves, accumulator: [[Node]],
                                 labels: [Int]) -> (name: String, error: Double) {
        let normaliser = Double(SpikingPopulation.normaliser(neuron: network.neuron, steps: network.timeSteps))
        let rates = accumulator.map { $0.map { $0 * (1 / normaliser) } }
        let loss = loss(rates: rates, weight: leaves["classifier.weight"], bias: leaves["classifier.bias"],
                        labels: labels, classes: network.classifier.outputFeatures)
        return worstGradientError(network.namedParameters, expected: leaves.gradients(of: loss))
    }

    /// A = λA + s on the tape (A = s at the first step).
    static func accumulate(_ accumulator: [[Node]]?, _ spikes: [[Node]], lambda: Double) -> [[Node]] {
        accumulator.map { zip($0, spikes).map { zip($0, $1).map { $0 * lambda + $1 } } } ?? spikes
    }

    static func sum(_ a: [[Node]], _ b: [[Node]]) -> [[Node]] { zip(a, b).map { zip($0, $1).map { $0 + $1 } } }

    struct Case: Sendable, CustomTestStringConvertible {
        let neuron: NeuronModel
        let detachReset: Bool
        /// The sigmoid surrogate's sharpness, or nil for the rectangular one (whose history is one
        /// byte per neuron and step, where the sigmoid's keeps the membrane).
        var sigmoid: Double? = nil
        var testDescription: String {
            "\(neuron)\(detachReset ? ", detached reset" : "")\(sigmoid.map { ", sigmoid surrogate k=\($0)" } ?? "")"
        }
    }

    static let cases = [Case(neuron: .integrateAndFire, detachReset: false),
                        Case(neuron: .leaky(lambda: 0.9), detachReset: false),
                        Case(neuron: .leaky(lambda: 0.9), detachReset: true),
                        Case(neuron: .leaky(lambda: 0.9), detachReset: false, sigmoid: 4)]

    @Test(arguments: cases)
    func singleLayerMatchesNaiveBPTT(case c: Case) throws {
        let batch = 3, inputs = 6, hidden = 5, classes = 3, steps = 8, threshold: Float = 1
        var generator = RandomGenerator(seed: 41)
        let network = try tinySingleLayerNetwork(neuron: c.neuron, threshold: threshold, steps: steps,
                                                 inputs: inputs, hidden: hidden, classes: classes,
                                                 generator: &generator)
        let x = Tensor(zeros: [batch, inputs])
        x.fillNormal(using: &generator)
        x.scale(by: 2)
        let labels = [1, 0, 2]
        _ = try gradientOnlyTrainer(network) {
            $0.method = .stbp
            $0.detachReset = c.detachReset
            if let k = c.sigmoid { ($0.surrogate, $0.surrogateParameter) = (.sigmoid, Float(k)) }
        }.trainStep(.image(x), labels: labels)

        let leaves = Leaves(ScalarTape(), network.namedParameters)
        let first = try FirstLayer(leaves, image: x, input: network.input, feedback: network.feedback, prefix: "input")
        let lambda = Double(c.neuron.lambda)
        var membrane: [[Node]]? = nil, spikes: [[Node]] = [], accumulator: [[Node]]? = nil
        for t in 1...steps {
            var input = first.current(step: t)
            if t > 1 {
                input = Self.sum(input, Self.elementwise(Self.linear(spikes, first.weight, nil, outputs: hidden),
                                                         first.feedbackMask))
            }
            (spikes, membrane) = Self.neuronStep(membrane: membrane, input: input, lambda: lambda,
                                                 threshold: Double(threshold), detachReset: c.detachReset,
                                                 sigmoid: c.sigmoid)
            accumulator = Self.accumulate(accumulator, spikes, lambda: lambda)
        }
        let worst = Self.compareGradients(network, leaves: leaves, accumulator: accumulator!, labels: labels)
        #expect(worst.error <= 1e-4, "\(worst.name): relative error \(worst.error)")
        #expect(network.feedback.spectralNorm.rawWeight.gradient.norm() > 0, "the feedback must receive a gradient")
    }

    /// Spike-frame input (N-MNIST style): per step I[t] = m_x ⊙ (γ (F x[t] − μ)/σ + β) with the
    /// fixed statistics μ, σ of F x̄ treated as constants (`FirstLayer(frames:…)`).
    @Test(arguments: [NeuronModel.integrateAndFire, .leaky(lambda: 0.9)])
    func spikeInputMatchesNaiveBPTT(neuron: NeuronModel) throws {
        let batch = 3, inputs = 6, hidden = 5, classes = 3, steps = 8, threshold: Float = 1
        var generator = RandomGenerator(seed: 47)
        let network = try tinySingleLayerNetwork(neuron: neuron, threshold: threshold, steps: steps,
                                                 inputKind: .spikeFrames, inputs: inputs, hidden: hidden, classes: classes,
                                                 generator: &generator)
        let frames = Tensor(zeros: [batch, steps, inputs])
        for i in 0..<frames.count { frames.pointer[i] = generator.nextBernoulli(0.5) ? 1 : 0 }
        let labels = [2, 0, 1]
        _ = try gradientOnlyTrainer(network) { $0.method = .stbp }.trainStep(.spikes(frames), labels: labels)

        let leaves = Leaves(ScalarTape(), network.namedParameters)
        let first = try FirstLayer(leaves, frames: frames, neuron: neuron, input: network.input, feedback: network.feedback,
                                   prefix: "input")
        let lambda = Double(neuron.lambda)
        var membrane: [[Node]]? = nil, spikes: [[Node]] = [], accumulator: [[Node]]? = nil
        for t in 1...steps {
            var input = first.current(step: t)
            if t > 1 {
                input = Self.sum(input, Self.elementwise(Self.linear(spikes, first.weight, nil, outputs: hidden),
                                                         first.feedbackMask))
            }
            (spikes, membrane) = Self.neuronStep(membrane: membrane, input: input, lambda: lambda,
                                                 threshold: Double(threshold), detachReset: false)
            accumulator = Self.accumulate(accumulator, spikes, lambda: lambda)
        }
        let worst = Self.compareGradients(network, leaves: leaves, accumulator: accumulator!, labels: labels)
        #expect(worst.error <= 1e-4, "\(worst.name): relative error \(worst.error)")
        #expect(network.input.layer.weight.gradient.norm() > 0, "the input branch must receive a gradient")
    }

    /// L spiking layers in a loop (input → L1 → … → L_L → feedback → L1: the delayed feedback
    /// and same-step feed-forward of spec §2.6) with a train-mode BN per step in every loop
    /// layer, as the multi-layer STBP runs it: two layers, and the paper's five at small widths.
    @Test(arguments: cases, [2, 5])
    func chainMatchesNaiveBPTT(case c: Case, layers depth: Int) throws {
        let batch = 3, inputs = 6, classes = 3, steps = 8, threshold: Float = 1
        let widths = Array([5, 4, 6, 5, 4].prefix(depth))
        var generator = RandomGenerator(seed: 43)
        func linear(_ i: Int, _ o: Int, bias: Bool = true) -> Linear {
            Linear(inputFeatures: i, outputFeatures: o, bias: bias, initialization: .uniformUnitNorm, generator: &generator)
        }
        let input = try SynapticBlock(layer: linear(inputs, widths[0]), dropout: 0.2)
        let loop = try (1..<depth).map { try SynapticBlock(layer: linear(widths[$0 - 1], widths[$0]), dropout: 0.2) }
        let network = FeedbackNetwork(
            neuron: c.neuron, threshold: threshold, timeSteps: steps, quirks: [], input: input,
            inputKind: .staticImage, loop: loop,
            feedback: try FeedbackConnection(layer: linear(widths[depth - 1], widths[0], bias: false),
                                             estimate: .operatorNorm, dropout: 0.2, generator: &generator),
            classifier: Linear(inputFeatures: widths[depth - 1], outputFeatures: classes, initialization: .pytorchDefault,
                               generator: &generator))
        network.feedback.spectralNorm.gain.value.pointer[0] = 0.9
        let x = Tensor(zeros: [batch, inputs])
        x.fillNormal(using: &generator)
        x.scale(by: 2)
        let labels = [2, 1, 0]
        _ = try gradientOnlyTrainer(network) {
            $0.method = .stbp
            $0.detachReset = c.detachReset
            if let k = c.sigmoid { ($0.surrogate, $0.surrogateParameter) = (.sigmoid, Float(k)) }
        }.trainStep(.image(x), labels: labels)

        let leaves = Leaves(ScalarTape(), network.namedParameters)
        let first = try FirstLayer(leaves, image: x, input: network.input, feedback: network.feedback,
                                   prefix: "layers.1")
        let loopMasks = try network.loop.map { doubles(try #require($0.dropout.mask)) }
        let lambda = Double(c.neuron.lambda), theta = Double(threshold)
        var membranes = [[[Node]]?](repeating: nil, count: depth)
        var spikes = [[[Node]]](repeating: [], count: depth)
        var accumulator: [[Node]]? = nil
        for t in 1...steps {
            var current = first.current(step: t)
            if t > 1 {
                current = Self.sum(current, Self.elementwise(Self.linear(spikes[depth - 1], first.weight, nil,
                                                                         outputs: widths[0]), first.feedbackMask))
            }
            for l in 0..<depth {
                if l > 0 {
                    let name = "layers.\(l + 1)"
                    current = Self.elementwise(
                        Self.batchNorm(Self.linear(spikes[l - 1], leaves["\(name).layer.weight"],
                                                   leaves["\(name).layer.bias"], outputs: widths[l]),
                                       gamma: leaves["\(name).bn.weight"], beta: leaves["\(name).bn.bias"]),
                        loopMasks[l - 1])
                }
                let step = Self.neuronStep(membrane: membranes[l], input: current, lambda: lambda, threshold: theta,
                                           detachReset: c.detachReset, sigmoid: c.sigmoid)
                (spikes[l], membranes[l]) = (step.spikes, step.membrane)
            }
            accumulator = Self.accumulate(accumulator, spikes[depth - 1], lambda: lambda)
        }
        let worst = Self.compareGradients(network, leaves: leaves, accumulator: accumulator!, labels: labels)
        #expect(worst.error <= 1e-4, "\(worst.name): relative error \(worst.error)")
        #expect(network.feedback.spectralNorm.rawWeight.gradient.norm() > 0, "the feedback must receive a gradient")
    }
}
