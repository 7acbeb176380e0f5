import ArgumentParser
import Datasets
import FSNN
import Harness
import Tensor

/// `fsnn train`: train one configuration ad hoc and print per-epoch accuracies.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one network configuration and print per-epoch test accuracy (no result files).")

    @Option(help: "Model: \(ModelName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: String
    @Option(help: "Dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: String
    @Option(help: "Neuron: if or lif.")
    var neuron = "if"
    @Option(help: "LIF leak factor λ.")
    var lambda: Float = 0.95
    @Option(name: .customLong("T"), help: "Time steps.")
    var timeSteps: Int
    @Option(help: "ide or stbp.")
    var method = "ide"
    @Option(help: "Adjoint solver: \(SolverKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var solver = "broyden"
    @Option(name: .customLong("quirk"), help: "Reference-code behaviour to reproduce (repeatable).")
    var quirks: [String] = []
    @Option var epochs = 1
    @Option var batch = 128
    @Option var seed: UInt64 = 0
    @Option(help: "OpenBLAS threads (default: all cores).")
    var threads: Int?
    @Option(name: .customLong("train-subset"), help: "Use the first N training samples.")
    var trainSubset: Int?
    @Option(name: .customLong("data-dir"), help: "Data root (default: $FSNN_DATA, else ./data).")
    var dataDirectory: String?

    func run() throws {
        guard let modelName = ModelName(rawValue: model) else { throw ValidationError("unknown model '\(model)'") }
        guard let datasetName = DatasetName(rawValue: dataset) else { throw ValidationError("unknown dataset '\(dataset)'") }
        guard let methodName = TrainingMethod(rawValue: method) else { throw ValidationError("unknown method '\(method)'") }
        guard let solverName = SolverKind(rawValue: solver) else { throw ValidationError("unknown solver '\(solver)'") }
        var configuration = TrainingConfiguration(model: modelName, timeSteps: timeSteps)
        switch neuron {
        case "if": configuration.neuron = .integrateAndFire
        case "lif": configuration.neuron = .leaky(lambda: lambda)
        default: throw ValidationError("neuron must be if or lif")
        }
        configuration.method = methodName
        configuration.solver = solverName
        configuration.quirks = Set(try quirks.map {
            guard let quirk = Quirk(rawValue: $0) else { throw ValidationError("unknown quirk '\($0)'") }
            return quirk
        })
        configuration.epochs = epochs
        configuration.batchSize = batch
        configuration.classCount = datasetName == .cifar100 ? 100 : 10
        if let threads { BLAS.threadCount = threads }
        _ = try AdHocTraining.run(configuration: configuration, dataset: datasetName,
                                  root: DataRoot.resolve(dataDirectory: dataDirectory), seed: seed,
                                  limits: DataLimits(trainSubset: trainSubset.map { .first($0) } ?? .all))
    }
}
