import ArgumentParser
import Harness

@main
struct FSNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsnn",
        abstract: "Feedback spiking neural networks trained by IDE, STBP and OTTT.",
        version: FSNNVersion.current,
        subcommands: [RunCommand.self, StatusCommand.self, ReportCommand.self, InspectCommand.self, TrainCommand.self,
                      DataCommand.self, BenchCommand.self, ModelsCommand.self])
}

/// `body`'s value; an error it throws (options that do not make a valid run) is printed as
/// `Error: …` and ends the process with the usage-error status 64.
func validated<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch {
        Console.log("Error: \(error)")
        throw ExitCode.validationFailure
    }
}

/// Prints `text` (a run's summary) and ends with `exitCode`. A summary that cannot be printed
/// turns a success into status 1, since the output the command exists to print was lost, and
/// leaves the status of a failure or an interruption as it is.
func finish(printing text: String?, exitCode: Int32) throws {
    do {
        if let text { try Console.print(text) }
    } catch {
        guard exitCode != 0 else { throw error }
        Console.log("Error: \(error)")
    }
    if exitCode != 0 { throw ExitCode(exitCode) }
}

/// The settings `fsnn train` and `fsnn bench train` have in common, as their options give them;
/// a LIF neuron without `--lambda` has λ = 0.95 (spec §7).
func networkSettings(model: ModelName, dataset: DatasetName, neuron: NeuronType, lambda: Double?, timeSteps: Int,
                     method: TrainingMethod, quirks: [Quirk], batch: Int?, seed: Int) -> CommandLineSettings {
    var settings = CommandLineSettings()
    settings.set(\.model, model, option: "--model")
    settings.set(\.dataset, dataset, option: "--dataset")
    settings.set(\.neuronType, neuron, option: "--neuron")
    settings.set(\.lambda, lambda ?? (neuron == .leaky ? 0.95 : nil), option: "--lambda")
    settings.set(\.timeSteps, timeSteps, option: "--T")
    settings.set(\.method, method, option: "--method")
    settings.set(\.quirks, quirks.isEmpty ? nil : quirks, option: "--quirk")
    settings.set(\.batchSize, batch, option: "--batch")
    settings.set(\.seeds, [seed], option: "--seed")
    return settings
}
