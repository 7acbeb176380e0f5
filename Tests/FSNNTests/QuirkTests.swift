import Testing
import Tensor
@testable import FSNN

/// Numbers the spec gives for the rate normaliser and for reference-code quirks (spec §11, §12).
@Suite struct QuirkTests {
    /// Spec §12.2.
    @Test func rateNormalisersMatchTheSpec() {
        func normaliser(_ lambda: Float, _ steps: Int) -> Float {
            SpikingPopulation.normaliser(neuron: .leaky(lambda: lambda), steps: steps)
        }
        #expect(abs(normaliser(0.95, 5) - 4.524) < 5e-4)
        #expect(abs(normaliser(0.95, 30) - 15.71) < 5e-3)
        #expect(abs(normaliser(0.99, 30) - 26.03) < 5e-3)
        #expect(abs(normaliser(0.99, 100) - 63.40) < 5e-3)
        #expect(SpikingPopulation.normaliser(neuron: .integrateAndFire, steps: 30) == 30)
    }

    /// B2 (spec §11, §12.8): with both aliasing effects and the empty last N-MNIST frame the
    /// reference's x̄ is (1 + Λ_T)(1 + λ^T)/Λ_{T+1} ≈ 1.27 × the correct average (T 30, λ 0.95);
    /// IF and runs without the quirk are untouched.
    @Test func lifInputAverageAliasInflatesTheAverage() throws {
        func factor(_ neuron: NeuronModel, _ quirks: Set<Quirk>) throws -> Float {
            var configuration = TrainingConfiguration(model: .nmnist64C5sF64C5P2, timeSteps: 30)
            configuration.neuron = neuron
            configuration.quirks = quirks
            var generator = RandomGenerator(seed: 1)
            let network = try ModelZoo.make(configuration, generator: &generator)
            return network.aliasedAverageFactor
        }
        #expect(abs(try factor(.leaky(lambda: 0.95), [.lifInputAverageAlias]) - 1.27) < 0.005)
        #expect(try factor(.leaky(lambda: 0.95), []) == 1)
        #expect(try factor(.integrateAndFire, [.lifInputAverageAlias]) == 1)
    }

    /// B11 and B13 change the multi-layer IDE adjoint only (spec §4.3): a row that lists either on a
    /// single-layer model or with STBP is refused, naming the quirk; IDE AlexNet-F takes both.
    @Test(arguments: [Quirk.adjointLoopBNTrainMode, .adjointLinearizedAtMapOutput])
    func multiLayerAdjointQuirksNeedAMultiLayerIDERun(quirk: Quirk) {
        func problems(_ model: ModelName, _ method: TrainingMethod) -> [String] {
            var configuration = TrainingConfiguration(model: model, timeSteps: 5)
            configuration.method = method
            configuration.quirks = [quirk]
            return DatasetRules.problems(dataset: DatasetRules.paperDataset(of: model), training: configuration).map(\.message)
        }
        #expect(problems(.alexnetF, .ide).isEmpty)
        #expect(problems(.cifarnetF, .ide).isEmpty)
        for (model, method) in [(ModelName.fmnistF400, TrainingMethod.ide), (.mnist64C5sF64C5, .ide), (.alexnetF, .stbp)] {
            let found = problems(model, method)
            #expect(found.count == 1 && found[0].hasPrefix("quirk '\(quirk.rawValue)' applies to IDE runs of the multi-layer networks only"),
                    "\(model.rawValue), \(method.rawValue): \(found)")
        }
        #expect(DatasetRules.ideOnlyQuirks.contains(quirk))
    }

    /// B1 (spec §6.2, §12.9): with static input the faithful run updates the input BN's running
    /// statistics twice per batch with identical batch statistics (effective momentum 0.19); the
    /// corrected run once (0.1).
    @Test(arguments: [false, true])
    func inputBatchNormUpdatesOnceOrTwice(faithful: Bool) throws {
        var configuration = TrainingConfiguration(model: .fmnistF400, timeSteps: 3)
        configuration.quirks = faithful ? [.inputBNDoubleUpdate] : []
        configuration.learningRate = 0
        var generator = RandomGenerator(seed: 2)
        let network = try ModelZoo.make(configuration, generator: &generator)
        let trainer = try Trainer(configuration: configuration, network: network, dropoutGenerator: generator.split())
        let images = Tensor(zeros: [16, 1, 28, 28])
        images.fillNormal(using: &generator)
        _ = try trainer.trainStep(.image(images), labels: Array(repeating: 3, count: 16))
        // The batch mean of F x per channel, which both updates see.
        let z = try network.input.layer.forward(try images.reshaped([16, 784]))
        let batchMean = try z.mean(alongAxes: [0])
        let momentum: Float = faithful ? 0.19 : 0.1
        for c in 0..<400 {
            let expected = momentum * batchMean.pointer[c]
            #expect(abs(network.input.norm.runningMean.pointer[c] - expected) <= 1e-5 * max(1, abs(expected)))
        }
    }
}
