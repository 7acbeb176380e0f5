import ArgumentParser
import Harness

/// `fsnn models`: the zoo's networks, layers, shapes, parameter and neuron counts, without data.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Each zoo model's input, spiking layers, parameters and buffers (names and shapes as in checkpoints), and its parameter and neuron counts; needs no data.")

    @Argument(help: "Models to list (default: all).")
    var models: [ModelName] = []

    func run() throws {
        let chosen = models.isEmpty ? ModelName.allCases : models
        try Console.print(try chosen.map { try ModelListing.describe($0) }.joined(separator: "\n"), terminator: "")
    }
}
