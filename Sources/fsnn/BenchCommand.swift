import ArgumentParser
import Harness

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
                help: "Thread counts to measure (OpenBLAS threads and convolution workers; default 1 2). With --events-only: one count (default: all cores).")
        var threads: [Int] = []

        @Option(help: "Samples per batch.")
        var batch = 128

        @Option(help: "Untimed runs before timing.")
        var warmups = 1

        @Option(help: "Timed runs; median and best are reported.")
        var repetitions = 5

        @Option(help: "Only the density table's layers whose name contains this text (e.g. MNIST, AlexNet-F L2).")
        var layer: String?

        @Option(parsing: .upToNextOption, help: "Operand densities of the event-driven products' table (default 0 0.01 0.02 0.05 0.1 0.2 0.3 0.5).")
        var densities: [Float] = []

        @Flag(help: "Only the density table of the event-driven products, at --threads (one count) or the default thread count.")
        var eventsOnly = false

        @Flag(help: "With --events-only: time the event-driven products alone, not their dense counterparts (for profilers such as valgrind, under which BLAS runs a hundred times slower).")
        var noDense = false

        func validate() throws {
            guard threads.allSatisfy({ (1...ComputeThreads.maximum).contains($0) }) else {
                throw ValidationError("--threads: each thread count must be in 1…\(ComputeThreads.maximum)")
            }
            guard (0...10_000).contains(warmups), (1...10_000).contains(repetitions) else {
                throw ValidationError("--warmups must be in 0…10000 and --repetitions in 1…10000")
            }
            guard densities.allSatisfy({ (0...1).contains($0) }) else {
                throw ValidationError("--densities: each density must be in 0…1")
            }
            guard !eventsOnly || threads.count <= 1 else {
                throw ValidationError("--threads: --events-only measures at one thread count")
            }
            guard eventsOnly || !noDense else { throw ValidationError("--no-dense needs --events-only") }
            // The batch sizes the products' operands, as batch_size does a run's workspaces.
            do { try CommandLineSettings.check(\.batchSize, batch, option: "--batch") } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() throws {
            let stopwatch = Stopwatch(warmups: warmups, repetitions: repetitions)
            let densities = densities.isEmpty ? EventDrivenBenchmark.defaultDensities : densities
            if eventsOnly {
                try ComputeThreads.set(threads: threads.first)
                let events = EventDrivenBenchmark(batch: batch, stopwatch: stopwatch, densities: densities,
                                                  layerFilter: layer, timesDenseProducts: !noDense)
                try Console.print("CPU: \(Processor.description); \(ComputeThreads.benchmarkDescription)\n")
                try Console.print(events.markdown(try events.run(progress: Console.log)))
                return
            }
            let benchmark = OpsBenchmark(threadCounts: threads.isEmpty ? [1, 2] : threads, batch: batch,
                                         stopwatch: stopwatch, densities: densities, layerFilter: layer)
            let report = try benchmark.run(progress: Console.log)
            try Console.print(report.markdown)
        }
    }

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Milliseconds per training iteration of a zoo model, split into phases, as a Markdown table.",
            discussion: "Settings are checked as experiment files are; the data is read as the configuration needs it (N-MNIST frames follow --T).")

        @Option var model: ModelName = .fmnistF400
        @Option(help: "Dataset for real batches (default: the model's, or its offline subset).")
        var dataset: DatasetName?
        @Option var neuron: NeuronType = .integrateAndFire
        @Option(help: "LIF leak factor λ (default 0.95 for lif neurons).")
        var lambda: Double?
        @Option(name: .customLong("T"), help: "Time steps.")
        var timeSteps = 5
        @Option var batch = 128
        @Option(help: "Gradient method (repeatable: one table of rows per method).")
        var method: [TrainingMethod] = [.ide]
        @Option(name: .customLong("quirk"), help: "Reference-code behaviour to reproduce (repeatable).")
        var quirks: [Quirk] = []
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
        @Option(help: "A JSON file of the batches to time, {\"dataset\", \"split\", \"batches\": [[indices], …]}, warm-ups first (make bench-compare).")
        var batches: String?
        @Flag(help: "Do not also time IDE with every solve forced to its iteration cap.")
        var noForced = false
        @Flag(help: "Print the rows as one JSON object (per-iteration milliseconds) instead of Markdown.")
        var json = false
        @Flag(help: "Also print, per variant, the time of each layer's products by product and path (event-driven or dense) in the timed iterations.")
        var profile = false
        @Option(name: .customLong("lr-warmup"), help: "Linear learning-rate warm-up iterations (CIFAR's 400).")
        var learningRateWarmup: Int?
        @Option(name: .customLong("data-dir"), help: "Data root (default: $FSNN_DATA, else ./data).")
        var dataDirectory: String?

        func validate() throws {
            guard (0...10_000).contains(warmups), (1...10_000).contains(iterations) else {
                throw ValidationError("--warmups must be in 0…10000 and --iterations in 1…10000")
            }
        }

        func run() throws {
            let benchmarks = try method.map { method in
                var settings = networkSettings(model: model, dataset: dataset ?? DatasetRules.paperDataset(of: model),
                                               neuron: neuron, lambda: lambda, timeSteps: timeSteps, method: method,
                                               quirks: quirks, batch: batch, seed: 0)
                settings.set(\.warmupIterations, learningRateWarmup, option: "--lr-warmup")
                let resolved = try validated { try settings.resolve() }
                var benchmark = TrainBenchmark(settings: resolved, root: DataRoot.resolve(dataDirectory: dataDirectory),
                                               warmups: warmups, iterations: iterations)
                benchmark.includesForcedSolves = !noForced
                benchmark.profilesProducts = profile
                if let batches {
                    benchmark.batchFile = (batches, try BenchmarkBatches(contentsOf: batches, count: warmups + iterations,
                                                                         batchSize: resolved.training.batchSize))
                }
                return benchmark
            }
            try validated { try ComputeThreads.set(threads: threads, workers: workers) }
            Console.log("CPU: \(Processor.description); \(ComputeThreads.benchmarkDescription)")
            let rows = try benchmarks.map { try $0.run(progress: Console.log) }
            if json {
                try Console.print(TrainBenchmark.json(rows.flatMap { $0 }))
            } else {
                let gemmRate = TrainBenchmark.gemmRate()
                try Console.print(zip(benchmarks, rows).map {
                    TrainBenchmark.markdown($1, configuration: $0.configuration, gemmRate: gemmRate)
                }.joined(separator: "\n\n"))
            }
            for benchmark in benchmarks where epoch {
                if let result = try benchmark.realEpoch() { try Console.print("\n\(benchmark.configuration.method.rawValue): \(result)") }
            }
            if profile {
                for row in rows.flatMap({ $0 }) {
                    try Console.print("\n" + TrainBenchmark.productProfileMarkdown(row, iterations: iterations))
                }
            }
        }
    }
}
