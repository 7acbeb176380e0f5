import ArgumentParser
import Foundation
import Datasets
import FSNN
import Harness
import Tensor

/// `fsnn bench …`: speed measurements (not tests; see the README's Performance section).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of the numeric kernels.",
        subcommands: [Ops.self, Train.self])

    struct Ops: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GFLOP/s of sgemm and of the convolution passes, as a Markdown table.")

        @Option(name: .long, parsing: .upToNextOption,
                help: "Thread counts to measure (OpenBLAS threads and convolution workers).")
        var threads: [Int] = [1, 2]

        @Option(help: "Samples per batch.")
        var batch = 128

        @Option(help: "Untimed runs before timing.")
        var warmups = 1

        @Option(help: "Timed runs; median and best are reported.")
        var repetitions = 5

        func validate() throws {
            guard threads.allSatisfy({ $0 >= 1 }), batch >= 1, warmups >= 0, repetitions >= 1 else {
                throw ValidationError("threads, batch and repetitions must be ≥ 1 and warmups ≥ 0")
            }
        }

        func run() throws {
            let benchmark = OpsBenchmark(threadCounts: threads, batch: batch,
                                         stopwatch: Stopwatch(warmups: warmups, repetitions: repetitions))
            let report = try benchmark.run { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            print(report.markdown)
        }
    }

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Milliseconds per training iteration of a zoo model, split into phases, as a Markdown table.")

        @Option(help: "Model: \(ModelName.allCases.map(\.rawValue).joined(separator: ", ")).")
        var model = "fmnist_f400"
        @Option(help: "Dataset for real batches (default: the model's).")
        var dataset: String?
        @Option(help: "Neuron: if or lif.")
        var neuron = "if"
        @Option(help: "LIF leak factor λ.")
        var lambda: Float = 0.95
        @Option(name: .customLong("T"), help: "Time steps.")
        var timeSteps = 5
        @Option var batch = 128
        @Option(help: "ide or stbp.")
        var method = "ide"
        @Option(name: .customLong("quirk"), help: "Reference-code behaviour to reproduce (repeatable).")
        var quirks: [String] = []
        @Option(help: "Untimed iterations first.")
        var warmups = 3
        @Option(help: "Timed iterations.")
        var iterations = 20
        @Option(help: "OpenBLAS threads and Parallel workers (default: all cores).")
        var threads: Int?
        @Option(help: "Parallel workers, when they should differ from --threads.")
        var workers: Int?
        @Flag(help: "Also time one full training epoch on the real data.")
        var epoch = false
        @Option(name: .customLong("data-dir"), help: "Data root (default: $FSNN_DATA, else ./data).")
        var dataDirectory: String?

        func run() throws {
            guard let modelName = ModelName(rawValue: model) else { throw ValidationError("unknown model '\(model)'") }
            guard let methodName = TrainingMethod(rawValue: method) else { throw ValidationError("unknown method '\(method)'") }
            var configuration = TrainingConfiguration(model: modelName, timeSteps: timeSteps)
            configuration.neuron = neuron == "lif" ? .leaky(lambda: lambda) : .integrateAndFire
            configuration.method = methodName
            configuration.batchSize = batch
            configuration.quirks = Set(try quirks.map {
                guard let quirk = Quirk(rawValue: $0) else { throw ValidationError("unknown quirk '\($0)'") }
                return quirk
            })
            let datasetName = try dataset.map {
                guard let name = DatasetName(rawValue: $0) else { throw ValidationError("unknown dataset '\($0)'") }
                return name
            } ?? TrainBenchmark.defaultDataset(for: modelName)
            if let threads {
                BLAS.threadCount = threads
                Parallel.workerCount = threads
            }
            if let workers { Parallel.workerCount = workers }
            let root = DataRoot.resolve(dataDirectory: dataDirectory)
            let benchmark = TrainBenchmark(configuration: configuration, dataset: datasetName, root: root,
                                           warmups: warmups, iterations: iterations)
            let log = { (line: String) in FileHandle.standardError.write(Data((line + "\n").utf8)) }
            log("OpenBLAS core \(BLAS.coreName), \(BLAS.threadCount) thread(s), \(Parallel.workerCount) worker(s); OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")")
            let rows = try benchmark.run(progress: log)
            print(TrainBenchmark.markdown(rows, configuration: configuration, gemmRate: TrainBenchmark.gemmRate()))
            if epoch {
                let result = try TrainBenchmark.realEpoch(configuration: configuration, dataset: datasetName, root: root)
                print(String(format: "\nOne real %@ training epoch: %.1f s (%d batches, data wait %.1f %%)",
                             datasetName.rawValue, result.seconds, result.batches, 100 * result.dataWaitFraction))
            }
        }
    }
}

