import Testing
import Tensor
import FSNN

/// Parameter and neuron counts of the paper's networks (spec §5, §12.1: measured on the reference).
@Suite struct ModelZooTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        let model: ModelName
        let classes: Int
        let quirks: Set<Quirk>
        let parameters: Int
        let neurons: Int
        var testDescription: String { "\(model.rawValue) (\(classes) classes\(quirks.isEmpty ? "" : ", \(quirks.map(\.rawValue))"))" }
    }

    static let expectations: [Expected] = [
        Expected(model: .fmnistF400, classes: 10, quirks: [], parameters: 478_811, neurons: 1_184),
        Expected(model: .mnist64C5sF64C5, classes: 10, quirks: [], parameters: 229_643, neurons: 13_328),
        Expected(model: .nmnist64C5sF64C5P1, classes: 10, quirks: [], parameters: 269_643, neurons: 18_696),
        Expected(model: .nmnist64C5sF64C5P2, classes: 10, quirks: [], parameters: 290_763, neurons: 20_808),
        Expected(model: .nmnist64C5sF64C5P2, classes: 10, quirks: [.nmnistInputConvPad1], parameters: 269_643, neurons: 18_696),
        Expected(model: .alexnetF, classes: 10, quirks: [], parameters: 3_709_515, neurons: 158_720),
        Expected(model: .alexnetF, classes: 100, quirks: [], parameters: 5_184_165, neurons: 158_720),
        Expected(model: .cifarnetF, classes: 10, quirks: [], parameters: 11_840_011, neurons: 232_448),
        Expected(model: .cifarnetF, classes: 100, quirks: [], parameters: 14_789_221, neurons: 232_448),
    ]

    @Test(arguments: expectations)
    func countsMatchTheReference(expected: Expected) throws {
        var configuration = TrainingConfiguration(model: expected.model, timeSteps: 5)
        configuration.classCount = expected.classes
        configuration.quirks = expected.quirks
        var generator = RandomGenerator(seed: 1)
        let network = try ModelZoo.make(configuration, generator: &generator)
        #expect(network.parameterCount == expected.parameters)
        #expect(network.neuronCount(inputShape: ModelZoo.inputShape(of: expected.model)) == expected.neurons)
    }
}
