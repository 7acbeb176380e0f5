import FSNN
import Tensor

/// `fsnn models`: every network of the zoo built from its definition alone (no data, no
/// checkpoint): its input, spiking layers with their shapes and neurons, and every parameter and
/// buffer under its checkpoint name with its shape (spec §5; counts as in §12.1).
public enum ModelListing {
    /// One model at T time steps (T does not change shapes or counts), 10 classes.
    public static func describe(_ model: ModelName, timeSteps: Int = 30) throws -> String {
        var generator = RandomGenerator(seed: 0)
        let network = try ModelZoo.make(TrainingConfiguration(model: model, timeSteps: timeSteps), generator: &generator)
        let input = ModelZoo.inputShape(of: model)
        var lines = ["## \(model.rawValue)", "",
                     "input \(shape(input))\(ModelZoo.takesSpikes(model) ? " spike frames per step" : " image"); "
                         + "\(network.parameterCount) parameters; \(network.neuronCount(inputShape: input)) neurons "
                         + "(\(network.layerSizes.reduce(0, +)) spiking + \(input.reduce(1, *)) input, spec §5.6)", "",
                     "| spiking layer | shape | neurons |", "|---|---|--:|"]
        for ((name, size), block) in zip(zip(network.layerNames, network.layerSizes), network.namedBlocks) {
            lines.append("| \(name) (\(block.name)) | \(shape(block.block.outputSampleShape)) | \(size) |")
        }
        lines += ["", "| parameter / buffer | shape | elements |", "|---|---|--:|"]
        for (name, parameter) in network.namedParameters {
            lines.append("| \(name) | \(shape(parameter.shape)) | \(parameter.value.count) |")
        }
        for (name, tensor) in network.namedBuffers {
            lines.append("| \(name) (buffer) | \(shape(tensor.shape)) | \(tensor.count) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func describeAll() throws -> String {
        try ModelName.allCases.map { try describe($0) }.joined(separator: "\n")
    }

    private static func shape(_ dimensions: [Int]) -> String {
        dimensions.isEmpty ? "scalar" : dimensions.map(String.init).joined(separator: "×")
    }
}
