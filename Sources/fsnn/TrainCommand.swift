import ArgumentParser
import Harness

/// `fsnn train`: train one configuration ad hoc and print per-epoch accuracies.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one network configuration and print per-epoch test accuracy (no result files).",
        discussion: "Options are checked as experiment files are: each against its setting's bounds, and together (the model must read the dataset, a quirk must be able to take effect, an option must apply to the run).")

    @Option var model: ModelName
    @Option var dataset: DatasetName
    @Option var neuron: NeuronType = .integrateAndFire
    @Option(help: "LIF leak factor λ (default 0.95 for lif neurons).")
    var lambda: Double?
    @Option(name: .customLong("T"), help: "Time steps.")
    var timeSteps: Int
    @Option var method: TrainingMethod = .ide
    @Option(help: "Adjoint solver (IDE).")
    var solver: SolverKind?
    @Option(name: .customLong("quirk"), help: "Reference-code behaviour to reproduce (repeatable).")
    var quirks: [Quirk] = []
    @Option var epochs = 1
    @Option var batch: Int?
    @Option var seed = 0
    @Option(help: "OpenBLAS threads and parallel workers (default: all cores).")
    var threads: Int?
    @Option(name: .customLong("train-subset"), help: "Train on N samples, a class-stratified selection drawn by the seed.")
    var trainSubset: Int?
    @Option(name: .customLong("data-dir"), help: "Data root (default: $FSNN_DATA, else ./data).")
    var dataDirectory: String?

    func run() throws {
        var settings = networkSettings(model: model, dataset: dataset, neuron: neuron, lambda: lambda, timeSteps: timeSteps,
                                       method: method, quirks: quirks, batch: batch, seed: seed)
        settings.set(\.solver, solver, option: "--solver")
        settings.set(\.epochs, epochs, option: "--epochs")
        settings.set(\.trainSubset, trainSubset, option: "--train-subset")
        let resolved = try validated {
            let resolved = try settings.resolve()
            try ComputeThreads.set(threads: threads)
            return resolved
        }
        _ = try AdHocTraining.run(resolved, root: DataRoot.resolve(dataDirectory: dataDirectory))
    }
}
