import Foundation
import Layers
import TestSupport
import Testing
import Tensor
@testable import FSNN

/// OTTT's gradients (spec §13.3) against Float64 references on a reverse-mode tape, tolerance 1e-4
/// relative (Float32 against Float64), and against STBP's at T = 1. The loss is
/// L = (1/T) Σ_t CE(W_o s_L[t] + b_o, y).
///
/// * Single-layer networks (static images and spike frames, IF and LIF): the tape of the unrolled
///   simulation with every edge that carries a spike into a later step cut — the reset's s[t] and
///   the feedback's input s[t−1] are constants — summed over the per-step losses. The membrane's
///   leak is kept: through it the parameters of every earlier step's input reach m[t] (for the
///   static current Λ_t ∂I/∂θ, for the feedback weight the trace Σ λ^{t−1−τ} s[τ]), and nothing
///   else does. No trace appears on this tape; OTTT's traces must come out of it.
/// * Multi-layer chains: BN runs on each step's batch statistics, so no trace can stand for the
///   past steps' inputs exactly; OTTT defines the step's graph with each weight reading its
///   presynaptic trace while the forward value stays the simulated one (the released code's
///   `Replace`): on the tape, step t's pre-activation z_l[t] of a loop layer has the simulated value
///   and the edges of W r_{l−1}[t] + b (r the normalised trace, a constant) and of W s_{l−1}[t]/Λ_t,
///   then BN on step t's statistics (on the tape), scaled by Λ_t; every value from earlier steps is
///   a constant.
@Suite struct OnlineTrainingThroughTimeTests {
    typealias Node = ScalarTape.Node
    typealias BPTT = BackpropagationThroughTimeTests

    struct Case: Sendable, CustomTestStringConvertible {
        let neuron: NeuronModel
        var spikeFrames = false
        /// The sigmoid surrogate's sharpness, or nil for the rectangular one (recorded as step codes).
        var sigmoid: Double? = nil
        var testDescription: String {
            "\(neuron)\(spikeFrames ? ", spike frames" : "")\(sigmoid.map { ", sigmoid surrogate k=\($0)" } ?? "")"
        }
    }

    static let singleLayerCases = [Case(neuron: .integrateAndFire), Case(neuron: .leaky(lambda: 0.9)),
                                   Case(neuron: .leaky(lambda: 0.9), sigmoid: 4),
                                   Case(neuron: .integrateAndFire, spikeFrames: true),
                                   Case(neuron: .leaky(lambda: 0.9), spikeFrames: true)]

    /// The trainer's OTTT_A gradients of one batch (learning rate 0: the parameters stay).
    static func otttGradients(_ network: FeedbackNetwork, _ input: NetworkInput, labels: [Int], sigmoid: Double?,
                              method: TrainingMethod = .ottt) throws {
        _ = try gradientOnlyTrainer(network) {
            $0.method = method
            if let k = sigmoid { ($0.surrogate, $0.surrogateParameter) = (.sigmoid, Float(k)) }
        }.trainStep(input, labels: labels)
    }

    static func surrogate(_ sigmoid: Double?) -> (Double) -> Double {
        sigmoid.map { k in { x in let s = 1 / (1 + exp(-k * x)); return k * s * (1 - s) } } ?? { abs($0) < 0.5 ? 1 : 0 }
    }

    /// A tiny single-layer network and its batch: N(0, 2²) images or Bernoulli(0.5) frames.
    static func singleLayer(_ c: Case, steps: Int, seed: UInt64) throws -> (FeedbackNetwork, NetworkInput) {
        var generator = RandomGenerator(seed: seed)
        let network = try tinySingleLayerNetwork(neuron: c.neuron, threshold: 1, steps: steps,
                                                 inputKind: c.spikeFrames ? .spikeFrames : .staticImage, inputs: 6,
                                                 hidden: 5, classes: 3, generator: &generator)
        if c.spikeFrames {
            let frames = Tensor(zeros: [3, steps, 6])
            for i in 0..<frames.count { frames.pointer[i] = generator.nextBernoulli(0.5) ? 1 : 0 }
            return (network, .spikes(frames))
        }
        let x = Tensor(zeros: [3, 6])
        x.fillNormal(using: &generator)
        x.scale(by: 2)
        return (network, .image(x))
    }

    @Test(arguments: singleLayerCases)
    func singleLayerMatchesTheUnrolledTapeWithTheTemporalEdgesCut(case c: Case) throws {
        let steps = 8, labels = [1, 0, 2]
        let (network, input) = try Self.singleLayer(c, steps: steps, seed: 51)
        try Self.otttGradients(network, input, labels: labels, sigmoid: c.sigmoid)
        let worst = try Self.singleLayerReference(network, input, c, labels: labels)
        #expect(worst.error <= 1e-4, "\(worst.name): relative error \(worst.error)")
        #expect(network.feedback.spectralNorm.rawWeight.gradient.norm() > 0, "the feedback must receive a gradient")
        #expect(network.input.layer.weight.gradient.norm() > 0, "the input branch must receive a gradient")
    }

    /// The oracles can fail: OTTT's gradients are far (over 10× the tolerance) from those of the
    /// same tapes with the temporal path not cut (single layer: the spikes of the reset and the
    /// feedback kept on the tape, i.e. BPTT of the per-step losses) and with traces not decayed
    /// (chains, LIF: â[t] = â[t−1] + x[t]).
    @Test func mutatedReferencesFail() throws {
        let steps = 8
        for c in [Case(neuron: .integrateAndFire), Case(neuron: .leaky(lambda: 0.9)),
                  Case(neuron: .integrateAndFire, spikeFrames: true)] {
            let (network, input) = try Self.singleLayer(c, steps: steps, seed: 51)
            try Self.otttGradients(network, input, labels: [1, 0, 2], sigmoid: c.sigmoid)
            let uncut = try Self.singleLayerReference(network, input, c, labels: [1, 0, 2], cuttingTemporalPath: false)
            #expect(uncut.error > 1e-3, "temporal path not cut, \(c.testDescription): \(uncut.name) \(uncut.error)")
        }
        for depth in [2, 5] {
            let (network, x) = try Self.chain(.leaky(lambda: 0.9), depth: depth, steps: steps, seed: 53)
            try Self.otttGradients(network, .image(x), labels: [2, 1, 0], sigmoid: nil)
            let undecayed = try Self.tracedStepReference(network, image: x, labels: [2, 1, 0], sigmoid: nil,
                                                         decayingTraces: false)
            #expect(undecayed.error > 1e-3, "trace not decayed, \(depth) layers: \(undecayed.name) \(undecayed.error)")
        }
    }

    /// The worst relative error of `network`'s gradients against the single-layer tape (see the
    /// suite's comment) for `input`, whose masks, u and v the network holds; with
    /// `cuttingTemporalPath` false, the spikes stay on the tape (a mutation).
    static func singleLayerReference(_ network: FeedbackNetwork, _ input: NetworkInput, _ c: Case, labels: [Int],
                                     cuttingTemporalPath: Bool = true) throws -> (name: String, error: Double) {
        let leaves = BPTT.Leaves(ScalarTape(), network.namedParameters)
        let first: BPTT.FirstLayer
        switch input {
        case let .image(x):
            first = try .init(leaves, image: x, input: network.input, feedback: network.feedback, prefix: "input")
        case let .spikes(frames):
            first = try .init(leaves, frames: frames, neuron: c.neuron, input: network.input, feedback: network.feedback,
                              prefix: "input")
        }
        let lambda = Double(c.neuron.lambda), steps = network.timeSteps, hidden = network.layerSizes[0]
        var membrane: [[Node]]? = nil, spikes: [[Node]] = [], losses: [Node] = []
        for t in 1...steps {
            var current = first.current(step: t)
            if t > 1 {
                let delayed = cuttingTemporalPath ? spikes.map { $0.map(\.detached) } : spikes
                current = BPTT.sum(current, BPTT.elementwise(BPTT.linear(delayed, first.weight, nil, outputs: hidden),
                                                             first.feedbackMask))
            }
            (spikes, membrane) = BPTT.neuronStep(membrane: membrane, input: current, lambda: lambda, threshold: 1,
                                                 detachReset: cuttingTemporalPath, sigmoid: c.sigmoid)
            losses.append(BPTT.loss(rates: spikes, weight: leaves["classifier.weight"], bias: leaves["classifier.bias"],
                                    labels: labels, classes: network.classifier.outputFeatures))
        }
        return worstGradientError(network.namedParameters, expected: leaves.gradients(of: losses.sum() * (1 / Double(steps))))
    }

    /// The AlexNet-F pattern at small widths (input block, L − 1 loop blocks with BN on each step's
    /// batch statistics, the delayed feedback), two layers and the paper's five.
    @Test(arguments: [Case(neuron: .integrateAndFire), Case(neuron: .leaky(lambda: 0.9)),
                      Case(neuron: .leaky(lambda: 0.9), sigmoid: 4)], [2, 5])
    func chainMatchesTheTracedStepTape(case c: Case, layers depth: Int) throws {
        let steps = 8, labels = [2, 1, 0]
        let (network, x) = try Self.chain(c.neuron, depth: depth, steps: steps, seed: 53)
        try Self.otttGradients(network, .image(x), labels: labels, sigmoid: c.sigmoid)
        let worst = try Self.tracedStepReference(network, image: x, labels: labels, sigmoid: c.sigmoid)
        #expect(worst.error <= 1e-4, "\(worst.name): relative error \(worst.error)")
        #expect(network.loop[0].layer.weight.gradient.norm() > 0, "the loop blocks must receive a gradient")
    }

    /// With T = 1 nothing crosses a step and every trace is the step's input: OTTT's gradient is
    /// STBP's (relative 1e-5: the same Float32 products in other orders).
    @Test(arguments: [Case(neuron: .integrateAndFire), Case(neuron: .leaky(lambda: 0.9), sigmoid: 4),
                      Case(neuron: .leaky(lambda: 0.9), spikeFrames: true)])
    func oneStepEqualsSTBP(case c: Case) throws {
        let labels = [1, 0, 2]
        func gradients(_ method: TrainingMethod, chain: Bool) throws -> [(name: String, parameter: Parameter)] {
            let (network, input): (FeedbackNetwork, NetworkInput)
            if chain {
                let (chainNetwork, x) = try Self.chain(c.neuron, depth: 3, steps: 1, seed: 57)
                (network, input) = (chainNetwork, .image(x))
            } else {
                (network, input) = try Self.singleLayer(c, steps: 1, seed: 55)
            }
            try Self.otttGradients(network, input, labels: labels, sigmoid: c.sigmoid, method: method)
            return network.namedParameters
        }
        for chain in c.spikeFrames ? [false] : [false, true] {
            let stbp = try gradients(.stbp, chain: chain)
            let expected = Dictionary(uniqueKeysWithValues: stbp.map { ($0.name, doubles($0.parameter.gradient)) })
            let worst = worstGradientError(try gradients(.ottt, chain: chain), expected: expected)
            #expect(worst.error <= 1e-5, "\(chain ? "chain" : "single layer"): \(worst.name): relative error \(worst.error)")
        }
    }

    /// OTTT_O hands every step's gradient, and only it, to an optimiser step: with steps that leave
    /// the parameters, the T gradients it hands over sum to OTTT_A's (relative 1e-5 of the largest
    /// gradient). And the
    /// trainer takes those steps instead of its step after the batch: with plain SGD at a small
    /// learning rate the batch moves the parameters by about −lr times OTTT_A's gradient (first
    /// order in lr; 2 % relative), not by none and not by twice that.
    @Test func onlineUpdatesTakeEachStepsGradientOnce() throws {
        let steps = 6, labels = [1, 0, 2], single = Case(neuron: .leaky(lambda: 0.9))
        let (accumulated, input) = try Self.singleLayer(single, steps: steps, seed: 59)
        try Self.otttGradients(accumulated, input, labels: labels, sigmoid: nil)
        let expected = accumulated.namedParameters.flatMap { doubles($0.parameter.gradient) }

        let (online, _) = try Self.singleLayer(single, steps: steps, seed: 59)
        var generator = RandomGenerator(seed: 5)
        online.zeroGradients()
        try online.prepare(batchSize: 3, phase: .training, generator: &generator)
        var handed = [Double](repeating: 0, count: expected.count), calls = 0
        let pass = try OnlineTrainingThroughTime(surrogate: SpikeSurrogate(), updatesEveryStep: true)
            .computeGradients(online, batch: input, labels: labels) {
                calls += 1
                handed = zip(handed, online.namedParameters.flatMap { doubles($0.parameter.gradient) }).map { $0 + $1 }
                online.zeroGradients()
            }
        #expect(calls == steps && pass.updates == steps)
        // Over all parameters at once: the bias in front of BN₁ has only rounding noise, summed
        // differently by the two (T backward passes through BN₁ against one).
        #expect(relativeError(handed, expected) <= 1e-5)

        func moved(onlineUpdates: Bool) throws -> [Double] {
            let (network, input) = try Self.singleLayer(single, steps: steps, seed: 59)
            let before = network.namedParameters.flatMap { doubles($0.parameter.value) }
            _ = try gradientOnlyTrainer(network) {
                ($0.method, $0.onlineUpdate, $0.learningRate) = (.ottt, onlineUpdates, 1e-3)
            }.trainStep(input, labels: labels)
            return zip(network.namedParameters.flatMap { doubles($0.parameter.value) }, before).map { $0 - $1 }
        }
        let perBatch = try moved(onlineUpdates: false), perStep = try moved(onlineUpdates: true)
        #expect(relativeError(perStep, perBatch) <= 2e-2, "OTTT_O moved by \(perStep.prefix(3)), OTTT_A by \(perBatch.prefix(3))")
        #expect(perBatch.contains { $0 != 0 })
    }

    // MARK: The multi-layer reference

    /// A linear chain input → L1 → … → L_depth → feedback → L1 (widths 5, 4, 6, 5, 4), dropout 0.2,
    /// gain 0.9, static N(0, 2²) inputs [3, 6].
    static func chain(_ neuron: NeuronModel, depth: Int, steps: Int, seed: UInt64) throws -> (FeedbackNetwork, Tensor) {
        let widths = Array([5, 4, 6, 5, 4].prefix(depth))
        var generator = RandomGenerator(seed: seed)
        func linear(_ i: Int, _ o: Int, bias: Bool = true) -> Linear {
            Linear(inputFeatures: i, outputFeatures: o, bias: bias, initialization: .uniformUnitNorm, generator: &generator)
        }
        let input = try SynapticBlock(layer: linear(6, widths[0]), dropout: 0.2)
        let loop = try (1..<depth).map { try SynapticBlock(layer: linear(widths[$0 - 1], widths[$0]), dropout: 0.2) }
        let network = FeedbackNetwork(
            neuron: neuron, threshold: 1, timeSteps: steps, quirks: [], input: input, inputKind: .staticImage, loop: loop,
            feedback: try FeedbackConnection(layer: linear(widths[depth - 1], widths[0], bias: false),
                                             estimate: .operatorNorm, dropout: 0.2, generator: &generator),
            classifier: Linear(inputFeatures: widths[depth - 1], outputFeatures: 3, initialization: .pytorchDefault,
                               generator: &generator))
        network.feedback.spectralNorm.gain.value.pointer[0] = 0.9
        let x = Tensor(zeros: [3, 6])
        x.fillNormal(using: &generator)
        x.scale(by: 2)
        return (network, x)
    }

    /// The worst relative error of `network`'s gradients against the traced-step tape (see the
    /// suite's comment), for the batch `image` whose masks, u and v the network holds; with
    /// `decayingTraces` false, â[t] = â[t−1] + x[t] (a mutation).
    static func tracedStepReference(_ network: FeedbackNetwork, image x: Tensor, labels: [Int], sigmoid: Double?,
                                    decayingTraces: Bool = true) throws
        -> (name: String, error: Double) {
        let leaves = BPTT.Leaves(ScalarTape(), network.namedParameters)
        let tape = leaves.tape, depth = network.loop.count + 1, widths = network.layerSizes
        let first = try BPTT.FirstLayer(leaves, image: x, input: network.input, feedback: network.feedback, prefix: "layers.1")
        let masks = try network.loop.map { doubles(try #require($0.dropout.mask)) }
        let lambda = Double(network.neuron.lambda), derivative = surrogate(sigmoid)
        let decay = decayingTraces ? lambda : 1
        let batch = x.shape[0], steps = network.timeSteps
        // Values of the simulation (Float64) that later steps read as constants.
        var potentials = widths.map { [Double](repeating: 0, count: batch * $0) }   // v_l[t − 1]
        var traces = widths.map { [Double](repeating: 0, count: batch * $0) }       // â_l[t]
        var feedbackTrace = [Double](repeating: 0, count: batch * widths[depth - 1])  // â_W[t]
        var lastSpikes = [Double](repeating: 0, count: batch * widths[depth - 1])     // s_L[t − 1]
        var losses: [Node] = []
        func constants(_ values: [Double], width: Int) -> [[Node]] {
            (0..<batch).map { b in (0..<width).map { tape.constant(values[b * width + $0]) } }
        }
        for t in 1...steps {
            let normaliser = (0..<t).reduce(0.0) { $0 + pow(lambda, Double($1)) }
            var spikes: [[Node]] = []
            for l in 0..<depth {
                // The step's input current on the tape — its value the simulated one, its edges the
                // gradient path ŷ_l, scaled by Λ_t — and the value of the feedback's current.
                let current: [[Node]], scaled: [[Node]]
                var feedbackValues = [Double](repeating: 0, count: batch * widths[l])
                if l == 0 {
                    current = first.current(step: t)
                    let weight = BPTT.linear(constants(feedbackTrace, width: widths[depth - 1]), first.weight, nil,
                                             outputs: widths[0])
                    scaled = BPTT.sum(current.map { $0.map { $0 * normaliser } },
                                      BPTT.elementwise(weight, first.feedbackMask))
                    if t > 1 {
                        let input = BPTT.linear(constants(lastSpikes, width: widths[depth - 1]), first.weight, nil,
                                                outputs: widths[0])
                        feedbackValues = BPTT.elementwise(input, first.feedbackMask).flatMap { $0.map(\.value) }
                    }
                } else {
                    let name = "layers.\(l + 1)", weight = leaves["\(name).layer.weight"], bias = leaves["\(name).layer.bias"]
                    let inputs = widths[l - 1]
                    // z_l[t]: the value W s_{l−1}[t] + b, the edges of W r_{l−1}[t] + b and of W s_{l−1}[t]/Λ_t.
                    let replaced = (0..<batch).map { b in (0..<widths[l]).map { o -> Node in
                        var value = bias[o].value
                        var edges = [(bias[o].id, 1.0)]
                        for i in 0..<inputs {
                            let w = weight[o * inputs + i], s = spikes[b][i]
                            value += w.value * s.value
                            edges.append((w.id, traces[l - 1][b * inputs + i] / normaliser))
                            edges.append((s.id, w.value / normaliser))
                        }
                        return tape.node(value, edges)
                    } }
                    current = BPTT.elementwise(BPTT.batchNorm(replaced, gamma: leaves["\(name).bn.weight"],
                                                              beta: leaves["\(name).bn.bias"]), masks[l - 1])
                    scaled = current.map { $0.map { $0 * normaliser } }
                }
                spikes = (0..<batch).map { b in (0..<widths[l]).map { i -> Node in
                    let k = b * widths[l] + i
                    let m = tape.node(potentials[l][k] + current[b][i].value + feedbackValues[k], [(scaled[b][i].id, 1)])
                    let s = m.spike(threshold: 1, surrogate: derivative)
                    potentials[l][k] = lambda * (m.value - s.value)
                    traces[l][k] = decay * traces[l][k] + s.value
                    return s
                } }
            }
            losses.append(BPTT.loss(rates: spikes, weight: leaves["classifier.weight"], bias: leaves["classifier.bias"],
                                    labels: labels, classes: 3))
            lastSpikes = spikes.flatMap { $0.map(\.value) }
            feedbackTrace = zip(feedbackTrace, lastSpikes).map { decay * $0 + $1 }
        }
        return worstGradientError(network.namedParameters,
                                  expected: leaves.gradients(of: losses.sum() * (1 / Double(steps))))
    }
}
