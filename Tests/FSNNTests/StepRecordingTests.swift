import FSNN
import Layers
import Tensor
import TestSupport
import Testing

/// `SimulationHistory(membranesOf:batchSize:)` observing a simulation (spec §2.1, for
/// `fsnn inspect trace`): recording changes nothing in the simulation, keeps every layer's
/// pre-spike membranes m_l[t] as [T, B·neurons], and H(m − V_th) over them gives exactly the
/// spikes the simulation counted.
@Suite struct StepRecordingTests {
    static func check(_ network: FeedbackNetwork, _ input: NetworkInput, batch: Int) throws {
        var generator = RandomGenerator(seed: 2)
        try network.prepare(batchSize: batch, phase: .evaluation, generator: &generator)
        let plain = try network.simulate(input, phase: .evaluation)
        let history = SimulationHistory(membranesOf: network, batchSize: batch)
        let recorded = try network.simulate(input, phase: .evaluation, observing: [history])
        #expect(recorded.spikeCounts == plain.spikeCounts)
        #expect(recorded.outputRate.scalars == plain.outputRate.scalars)
        for (l, size) in network.layerSizes.enumerated() {
            let membranes = try #require(history.membranes(layer: l), "layer \(l)")
            #expect(membranes.shape == [network.timeSteps, batch * size])
            let spikes = membranes.scalars.reduce(0) { $0 + ($1 >= network.threshold ? 1 : 0) }
            #expect(Double(spikes) == recorded.spikeCounts[l], "layer \(l)")
            #expect(spikes > 0, "layer \(l) spiked, so the count is a real check")
        }
    }

    @Test func singleLayerLIF() throws {
        var generator = RandomGenerator(seed: 41)
        let network = try tinySingleLayerNetwork(neuron: .leaky(lambda: 0.9), threshold: 0.5, steps: 7, inputs: 6,
                                                 hidden: 5, classes: 3, generator: &generator)
        let x = Tensor(zeros: [3, 6])
        x.fillNormal(using: &generator)
        try Self.check(network, .image(x), batch: 3)
    }

    @Test func threeLayerConvolutionalChain() throws {
        var generator = RandomGenerator(seed: 42)
        let network = try tinyConvolutionalChain(neuron: .integrateAndFire, threshold: 0.5, steps: 9, classes: 3,
                                                 generator: &generator)
        let x = Tensor(zeros: [2, 1, 4, 4])
        x.fillNormal(using: &generator)
        try Self.check(network, .image(x), batch: 2)
    }
}
