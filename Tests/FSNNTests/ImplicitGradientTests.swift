import Foundation
import Layers
import TestSupport
import Testing
import Tensor
@testable import FSNN

/// The IDE gradient against the implicit function theorem evaluated densely in Float64 (spec
/// §4.1, §12.4): explicit per-sample Jacobians of the map, (I − J)ᵀβ = ∂L/∂a by a dense solve,
/// and ∂L/∂θ = βᵀ∂f/∂θ by central differences of the reference map. Tolerance 1e-4 relative
/// (Float32 simulation and Broyden against Float64; measured errors are around 1e-6).
@Suite struct ImplicitGradientTests {
    static let neurons: [NeuronModel] = [.integrateAndFire, .leaky(lambda: 0.9)]

    /// Static images, or binary spike frames whose (λ-weighted) time average x̄ enters f, with BN
    /// on fixed statistics during the simulation (spec §3.1, §6.2) — and quirk B2's inflated x̄.
    struct SingleLayerCase: Sendable, CustomTestStringConvertible {
        let neuron: NeuronModel
        let spikes: Bool
        let quirks: Set<Quirk>
        var testDescription: String {
            "\(neuron), \(spikes ? "spike frames" : "static images")\(quirks.isEmpty ? "" : ", \(quirks.map(\.rawValue))")"
        }
    }

    static let singleLayerCases = neurons.flatMap { neuron in
        [SingleLayerCase(neuron: neuron, spikes: false, quirks: []), SingleLayerCase(neuron: neuron, spikes: true, quirks: [])]
    } + [SingleLayerCase(neuron: .leaky(lambda: 0.9), spikes: true, quirks: [.lifInputAverageAlias])]

    @Test(arguments: singleLayerCases)
    func singleLayerFullyConnected(case c: SingleLayerCase) throws {
        let batch = 3, inputs = 6, hidden = 5, classes = 3, steps = 20, threshold: Float = 1
        var generator = RandomGenerator(seed: 21)
        let network = try tinySingleLayerNetwork(neuron: c.neuron, threshold: threshold, steps: steps, quirks: c.quirks,
                                                 inputKind: c.spikes ? .spikeFrames : .staticImage, inputs: inputs, hidden: hidden, classes: classes,
                                                 generator: &generator)
        let labels = [0, 2, 1]
        let input: NetworkInput
        var image: [Double]
        if c.spikes {
            let frames = Tensor(zeros: [batch, steps, inputs])
            for i in 0..<frames.count { frames.pointer[i] = generator.nextBernoulli(0.4) ? 1 : 0 }
            input = .spikes(frames)
            // x̄ = Σ_t λ^{T−t} x[t] / Λ_T, times quirk B2's factor.
            let lambda = Double(c.neuron.lambda)
            let normaliser = (0..<steps).reduce(0.0) { $0 + pow(lambda, Double($1)) }
            image = (0..<batch * inputs).map { index in
                let b = index / inputs, i = index % inputs
                return (0..<steps).reduce(0.0) { sum, t in
                    sum + pow(lambda, Double(steps - 1 - t)) * Double(frames[b, t, i])
                } / normaliser
            }
            if c.quirks.contains(.lifInputAverageAlias) {
                let next = normaliser * lambda + 1
                image = image.map { $0 * (1 + normaliser) * (1 + pow(lambda, Double(steps))) / next }
            }
        } else {
            let x = Tensor(zeros: [batch, inputs])
            x.fillNormal(using: &generator)
            input = .image(x)
            image = doubles(x)
        }

        let report = try gradientOnlyTrainer(network).trainStep(input, labels: labels)
        #expect(try #require(report.solver).relativeResidual < 1e-5)

        // The reference at the same point: the simulated rate, masks, u and v of this batch.
        let rate = doubles(try network.simulate(input, phase: .training).outputRate)
        let inputMask = doubles(try #require(network.input.dropout.mask))
        let feedbackMask = doubles(try #require(network.feedback.dropout.mask))
        let u = doubles(network.feedback.spectralNorm.u), v = doubles(network.feedback.spectralNorm.v)
        let spiking = ParameterVector(network.input.namedParameters(prefix: "input")
                                      + network.feedback.namedParameters(prefix: "feedback"))
        func map(_ rate: [Double], _ vector: [Double]) -> [Double] {
            let p = spiking.unpack(vector)
            let z = Reference.linear(image, p["input.layer.weight"]!, p["input.layer.bias"]!, batch: batch,
                                     inputs: inputs, outputs: hidden)
            let y = Reference.batchNorm(z, gamma: p["input.bn.weight"]!, beta: p["input.bn.bias"]!, batch: batch,
                                        channels: hidden, length: 1).y
            let raw = p["feedback.weight_raw"]!
            let sigma = zip(u, Reference.linear(v, raw, nil, batch: 1, inputs: hidden, outputs: hidden)).reduce(0) { $0 + $1.0 * $1.1 }
            let effective = raw.map { min(max(p["feedback.g"]![0], -1), 1) * $0 / sigma }
            let feedback = Reference.linear(rate, effective, nil, batch: batch, inputs: hidden, outputs: hidden)
            return (0..<batch * hidden).map {
                Reference.clamp01((feedbackMask[$0] * feedback[$0] + inputMask[$0] * y[$0]) / Double(threshold))
            }
        }
        let classifier = Reference.classifierGradients(
            rate: rate, weight: doubles(network.classifier.weight.value), bias: doubles(network.classifier.bias!.value),
            labels: labels, features: hidden, classes: classes)
        let beta = Self.denseAdjoint(rate: rate, rateGradient: classifier.rate, dimension: hidden) {
            map($0, spiking.values)
        }
        var expected = spiking.unpack(Reference.gradient(of: { vector in
            zip(beta, map(rate, vector)).reduce(0) { $0 + $1.0 * $1.1 }
        }, at: spiking.values))
        expected["classifier.weight"] = classifier.weight
        expected["classifier.bias"] = classifier.bias
        let worst = worstGradientError(network.namedParameters, expected: expected)
        #expect(worst.error <= 1e-4, "\(worst.name): relative error \(worst.error)")
    }

    /// The multi-layer adjoint's switches (spec §4.3, §11): loop BNs in training mode inside J
    /// (B11) and J linearised at z̃ = f_train(a) instead of a (B13), each alone and together.
    struct MultiLayerCase: Sendable, CustomTestStringConvertible {
        let neuron: NeuronModel
        let quirks: Set<Quirk>
        var testDescription: String { "\(neuron)\(quirks.isEmpty ? "" : ", \(quirks.map(\.rawValue).sorted())")" }
    }

    static let multiLayerCases = neurons.flatMap { neuron in
        [[], [.adjointLoopBNTrainMode], [.adjointLinearizedAtMapOutput],
         [.adjointLoopBNTrainMode, .adjointLinearizedAtMapOutput]].map { MultiLayerCase(neuron: neuron, quirks: $0) }
    }

    /// A three-layer conv chain with the AlexNet-F pattern (stride-2 loop conv, stride-2 transposed
    /// feedback with output padding): loop BN in train mode for ∂f/∂θ at a, and for J in evaluation
    /// mode, with the running statistics updated by this very step (spec §4.3) — or, under quirk
    /// B11, in train mode for J too, which couples the samples: then J is the Jacobian of the whole
    /// batch's map and the dense solve is over all B·D rates at once. J is taken at a, or under
    /// quirk B13 at z̃ = f_train(a); in that case the gradient must also differ from the one with J
    /// at a by far more than the tolerance, so that the case tells the two points apart.
    @Test(arguments: multiLayerCases)
    func multiLayerConvolutionalChain(case c: MultiLayerCase) throws {
        let batch = 3, classes = 3, threshold: Float = 1
        let trainModeJacobian = c.quirks.contains(.adjointLoopBNTrainMode)
        var generator = RandomGenerator(seed: 33)
        let network = try tinyConvolutionalChain(neuron: c.neuron, threshold: threshold, steps: 20, quirks: c.quirks,
                                                 classes: classes, generator: &generator)
        let x = Tensor(zeros: [batch, 1, 4, 4])
        x.fillNormal(using: &generator)
        let labels = [2, 0, 1]

        // The simulation reads the loop BNs' running statistics, which the step updates: keep the
        // statistics it saw to replay it, and the updated ones to check the update.
        let statisticsBefore = network.loop.map { ($0.norm.runningMean.copy(), $0.norm.runningVariance.copy()) }
        let report = try gradientOnlyTrainer(network).trainStep(.image(x), labels: labels)
        #expect(try #require(report.solver).relativeResidual < 1e-5)
        let statisticsAfter = network.loop.map { ($0.norm.runningMean.copy(), $0.norm.runningVariance.copy()) }
        for (block, (mean, variance)) in zip(network.loop, statisticsBefore) {
            try block.norm.runningMean.assign(mean)
            try block.norm.runningVariance.assign(variance)
        }

        let rate = doubles(try network.simulate(.image(x), phase: .training).outputRate)
        let masks = try ([network.input] + network.loop).map { doubles(try #require($0.dropout.mask)) }
        let feedbackMask = doubles(try #require(network.feedback.dropout.mask))
        let u = doubles(network.feedback.spectralNorm.u), v = doubles(network.feedback.spectralNorm.v)
        let image = doubles(x)
        let geometry = [Reference.Conv(inChannels: 1, outChannels: 2, size: 4, kernel: 3, stride: 1, padding: 1),
                        Reference.Conv(inChannels: 2, outChannels: 3, size: 4, kernel: 3, stride: 1, padding: 1),
                        Reference.Conv(inChannels: 3, outChannels: 2, size: 4, kernel: 3, stride: 2, padding: 1)]
        let feedbackGeometry = Reference.Conv(inChannels: 2, outChannels: 2, size: 4, kernel: 3, stride: 2, padding: 1)
        let spiking = ParameterVector((1...3).flatMap { l in
            (l == 1 ? network.input : network.loop[l - 2]).namedParameters(prefix: "layers.\(l)")
        } + network.feedback.namedParameters(prefix: "feedback"))

        /// f_last at `rate`; loop BN with batch statistics (`statistics` nil) or the given ones.
        /// Returns the map and each loop layer's batch mean and biased variance.
        func chain(_ rate: [Double], _ vector: [Double], statistics: [([Double], [Double])]?)
            -> (map: [Double], batchStatistics: [([Double], [Double])]) {
            let p = spiking.unpack(vector)
            let z1 = geometry[0].forward(image, p["layers.1.layer.weight"]!, p["layers.1.layer.bias"]!, batch: batch)
            let y1 = Reference.batchNorm(z1, gamma: p["layers.1.bn.weight"]!, beta: p["layers.1.bn.bias"]!, batch: batch,
                                         channels: 2, length: 16).y
            let raw = p["feedback.weight_raw"]!
            let sigma = zip(u, feedbackGeometry.transposed(v, raw, batch: 1)).reduce(0) { $0 + $1.0 * $1.1 }
            let effective = raw.map { min(max(p["feedback.g"]![0], -1), 1) * $0 / sigma }
            let feedback = feedbackGeometry.transposed(rate, effective, batch: batch)
            var h = (0..<y1.count).map {
                Reference.clamp01((feedbackMask[$0] * feedback[$0] + masks[0][$0] * y1[$0]) / Double(threshold))
            }
            var measured: [([Double], [Double])] = []
            for l in 2...3 {
                let g = geometry[l - 1], name = "layers.\(l)"
                let c = g.forward(h, p["\(name).layer.weight"]!, p["\(name).layer.bias"]!, batch: batch)
                let length = g.outSize * g.outSize
                let train = Reference.batchNorm(c, gamma: p["\(name).bn.weight"]!, beta: p["\(name).bn.bias"]!,
                                                batch: batch, channels: g.outChannels, length: length)
                measured.append((train.mean, train.variance))
                let y = statistics.map {
                    Reference.batchNormEval(c, gamma: p["\(name).bn.weight"]!, beta: p["\(name).bn.bias"]!,
                                            mean: $0[l - 2].0, variance: $0[l - 2].1, channels: g.outChannels,
                                            length: length)
                } ?? train.y
                h = (0..<y.count).map { Reference.clamp01(masks[l - 1][$0] * y[$0] / Double(threshold)) }
            }
            return (h, measured)
        }

        // Running statistics after this step's single update from (0, 1): momentum 0.1, unbiased variance.
        let batchStatistics = chain(rate, spiking.values, statistics: nil).batchStatistics
        let running = zip(batchStatistics, [16, 4]).map { stats, length -> ([Double], [Double]) in
            let m = Double(batch * length)
            return (stats.0.map { 0.1 * $0 }, stats.1.map { 0.9 + 0.1 * $0 * m / (m - 1) })
        }
        for ((mean, variance), expected) in zip(statisticsAfter, running) {
            #expect(relativeError(doubles(mean), expected.0) <= 1e-5)
            #expect(relativeError(doubles(variance), expected.1) <= 1e-5)
        }
        let classifier = Reference.classifierGradients(
            rate: rate, weight: doubles(network.classifier.weight.value), bias: doubles(network.classifier.bias!.value),
            labels: labels, features: 8, classes: classes)
        /// ∂L/∂θ = βᵀ ∂f/∂θ at a, with β solved for J taken at `point`.
        func expectedGradients(jacobianAt point: [Double]) -> [String: [Double]] {
            let beta = trainModeJacobian
                ? Reference.adjoint(jacobian: Reference.jacobian(of: { chain($0, spiking.values, statistics: nil).map },
                                                                 at: point),
                                    rhs: classifier.rate)
                : Self.denseAdjoint(rate: point, rateGradient: classifier.rate, dimension: 8) {
                    chain($0, spiking.values, statistics: running).map
                }
            var expected = spiking.unpack(Reference.gradient(of: { vector in
                zip(beta, chain(rate, vector, statistics: nil).map).reduce(0) { $0 + $1.0 * $1.1 }
            }, at: spiking.values))
            expected["classifier.weight"] = classifier.weight
            expected["classifier.bias"] = classifier.bias
            return expected
        }
        let mapOutput = chain(rate, spiking.values, statistics: nil).map
        let atMapOutput = c.quirks.contains(.adjointLinearizedAtMapOutput)
        let worst = worstGradientError(network.namedParameters,
                                       expected: expectedGradients(jacobianAt: atMapOutput ? mapOutput : rate))
        #expect(worst.error <= 1e-4, "\(worst.name): relative error \(worst.error)")
        if atMapOutput {
            let atRate = worstGradientError(network.namedParameters, expected: expectedGradients(jacobianAt: rate))
            #expect(atRate.error > 1e-2, "J at a would pass too: \(atRate.name) within \(atRate.error) of its gradient")
        }
    }

    /// β per sample from explicit Jacobians ∂f_b/∂a_b (central differences of the reference map
    /// `mapAtRate`, which must not couple samples) and dense solves of (I − J_b)ᵀβ_b = g_b.
    static func denseAdjoint(rate: [Double], rateGradient: [Double], dimension: Int,
                             mapAtRate: ([Double]) -> [Double]) -> [Double] {
        (0..<(rate.count / dimension)).flatMap { b -> [Double] in
            let range = (b * dimension)..<((b + 1) * dimension)
            let jacobian = Reference.jacobian(of: { sample in
                var perturbed = rate
                perturbed.replaceSubrange(range, with: sample)
                return Array(mapAtRate(perturbed)[range])
            }, at: Array(rate[range]))
            return Reference.adjoint(jacobian: jacobian, rhs: Array(rateGradient[range]))
        }
    }
}
