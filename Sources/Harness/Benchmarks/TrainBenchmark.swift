import Datasets
import Foundation
import FSNN
import Tensor

/// `fsnn bench train`: the cost of one training iteration of a zoo model, split into simulate /
/// solve / parameter-gradient, with the solver's stopping rule and with every solve forced to its
/// iteration cap, on real batches when the dataset is under the data root (random ones otherwise).
/// Also reports samples/s, peak tensor bytes, the achieved GFLOP/s of the BLAS products against a
/// 1024² sgemm measured in the same process, and optionally the wall time of one real epoch.
///
/// The real data is the settings' dataset, or its offline stand-in (cifar10-subset for cifar10)
/// when only that is under the data root, read with the configuration's data options (N-MNIST
/// frames follow T).
public struct TrainBenchmark {
    public var settings: ResolvedSettings
    public var root: DataRoot
    public var warmups: Int
    public var iterations: Int
    /// The batches to time (`--batches`), instead of the benchmark's own shuffled ones.
    public var batchFile: (path: String, batches: BenchmarkBatches)?
    /// Whether IDE is also timed with every solve forced to its iteration cap.
    public var includesForcedSolves = true
    /// Whether each variant's timed iterations record the layers' products (`ProductProfile`).
    public var profilesProducts = false

    public var configuration: TrainingConfiguration { settings.training }

    public init(settings: ResolvedSettings, root: DataRoot, warmups: Int = 3, iterations: Int = 20) {
        self.settings = settings
        self.root = root
        self.warmups = warmups
        self.iterations = iterations
    }

    /// The dataset under the data root that the benchmark reads: the settings' or its stand-in.
    public var dataset: DatasetName? {
        let wanted = settings.run.dataset
        return [wanted, DatasetRules.offlineStandIn(for: wanted)].compactMap { $0 }.first { name in
            (try? DatasetCatalog.locate(name, in: root)) != nil
        }
    }

    /// One measured variant.
    public struct Row: Sendable {
        public let method: TrainingMethod
        public let label: String
        public let total: Timing
        public let simulate: Timing
        public let solve: Timing
        public let parameterGradient: Timing
        public let solverIterations: Double
        /// The solver's iterations in each timed step (empty for STBP).
        public let solverIterationsPerStep: [Int]
        public let samplesPerSecond: Double
        public let transientPeakBytes: Int
        public let absolutePeakBytes: Int
        public let gigaflopsPerSecond: Double
        /// The products of the timed iterations, when profiled.
        public let products: [ProductProfile.Entry]
    }

    /// Every variant (stopping rule, forced cap for IDE); `progress` receives status lines.
    public func run(progress: (String) -> Void = { _ in }) throws -> [Row] {
        let data: Dataset?
        if let file = batchFile {
            data = try DatasetCatalog.load(file.batches.dataset, from: root,
                                           options: configuration.datasetOptions(augmentation: false))
            progress("the \(file.batches.batches.count) batches of \(file.path) (\(file.batches.dataset.rawValue), no augmentation)")
        } else {
            let options = configuration.datasetOptions(augmentation: settings.run.augmentation)
            data = try dataset.map { try DatasetCatalog.load($0, from: root, options: options) }
            progress(data.map { "real \($0.name.rawValue) batches" }
                ?? "\(settings.run.dataset.rawValue) not found under \(root.path): random batches")
        }
        var variants = [("stopping rule", configuration)]
        if configuration.method == .ide, includesForcedSolves {
            var forced = configuration
            forced.solverStopsEarly = false
            variants.append(("forced \(configuration.solverMaxIterations) it", forced))
        }
        return try variants.map { label, variant in
            let row = try measure(variant, label: label, data: data)
            progress(String(format: "%@: %.1f ms/iteration median", label, 1000 * row.total.median))
            return row
        }
    }

    private func measure(_ configuration: TrainingConfiguration, label: String, data: Dataset?) throws -> Row {
        var streams = RunStreams(seed: 0)
        let network = try ModelZoo.make(configuration, generator: &streams.model)
        let trainer = try Trainer(configuration: configuration, network: network, dropoutGenerator: streams.dropout)
        let batches = try self.batches(configuration, data: data, generator: &streams.trainData, count: warmups + iterations)
        var reports: [TrainingStepReport] = []
        var operations = 0
        var seconds = 0.0
        ProductProfile.shared.reset()
        defer { ProductProfile.shared.isRecording = false }
        for (index, (input, labels)) in batches.enumerated() {
            let before = BLAS.operationCount
            ProductProfile.shared.isRecording = profilesProducts && index >= warmups
            let report = try trainer.trainStep(input, labels: labels)
            guard index >= warmups else { continue }
            operations += BLAS.operationCount - before
            seconds += report.timing.total
            reports.append(report)
        }
        func timing(_ phase: (StepTiming) -> Double) -> Timing { Timing(seconds: reports.map { phase($0.timing) }) }
        let total = timing(\.total)
        return Row(method: configuration.method, label: label, total: total, simulate: timing(\.simulate), solve: timing(\.solve),
                   parameterGradient: timing(\.parameterGradient),
                   solverIterations: SampleSummary(reports.compactMap { $0.solver.map { Double($0.iterations) } })?.mean
                       ?? .nan,
                   solverIterationsPerStep: reports.compactMap { $0.solver?.iterations },
                   samplesPerSecond: Double(configuration.batchSize) / total.median,
                   transientPeakBytes: reports.map(\.transientPeakBytes).max() ?? 0,
                   absolutePeakBytes: reports.map(\.absolutePeakBytes).max() ?? 0,
                   gigaflopsPerSecond: Double(operations) / seconds / 1e9, products: ProductProfile.shared.entries)
    }

    /// `count` batches: consecutive shuffled training batches of the real data, or N(0, 1) images
    /// (Bernoulli(0.1) frames for spike models) with random labels.
    private func batches(_ configuration: TrainingConfiguration, data: Dataset?, generator: inout RandomGenerator,
                         count: Int) throws -> [(NetworkInput, [Int])] {
        let spikes = ModelZoo.takesSpikes(configuration.model)
        if let file = batchFile, let data {
            let split = file.batches.split == .train ? data.train : data.test
            try file.batches.checkIndices(sampleCount: split.count, file: file.path)
            var unused = RandomGenerator(seed: 0)
            return file.batches.batches.map { indices in
                let inputs = Tensor(zeros: [indices.count] + split.sampleShape), size = split.sampleElementCount
                for (i, index) in indices.enumerated() { split.writeSample(index, to: inputs.pointer + i * size, using: &unused) }
                return (spikes ? .spikes(inputs) : .image(inputs), indices.map { split.labels[$0] })
            }
        }
        if let data {
            let batcher = try Batcher(split: data.train, batchSize: configuration.batchSize, generator: generator)
            var result: [(NetworkInput, [Int])] = []
            while result.count < count {
                for batch in batcher.nextEpoch() where result.count < count {
                    result.append((spikes ? .spikes(batch.inputs) : .image(batch.inputs), batch.labels))
                }
            }
            return result
        }
        let shape = [configuration.batchSize] + (spikes ? [configuration.timeSteps] : [])
            + ModelZoo.inputShape(of: configuration.model)
        return (0..<count).map { _ in
            let inputs = Tensor(zeros: shape)
            if spikes {
                for i in 0..<inputs.count { inputs.pointer[i] = generator.nextBernoulli(0.1) ? 1 : 0 }
            } else {
                inputs.fillNormal(using: &generator)
            }
            let labels = (0..<configuration.batchSize).map { _ in generator.nextInt(below: configuration.classCount) }
            return (spikes ? .spikes(inputs) : .image(inputs), labels)
        }
    }

    /// GFLOP/s of the reference sgemm with the current thread count (the machine's reference rate).
    public static func gemmRate() -> Double {
        var generator = RandomGenerator(seed: 1)
        let reference = ReferenceProduct(using: &generator)
        let timing = Stopwatch(warmups: 1, repetitions: 5).measure { reference.run() }
        return reference.flops / timing.median / 1e9
    }

    /// The rows (of any number of methods) as one JSON object (per-iteration milliseconds per
    /// phase), for `make bench-compare`.
    public static func json(_ rows: [Row]) -> String {
        func milliseconds(_ timing: Timing) -> [Double] { timing.seconds.map { $0 * 1000 } }
        let object: [String: Any] = [
            "openblas_core": BLAS.coreName, "threads": BLAS.threadCount, "workers": Parallel.workerCount,
            "cpu": Processor.description,
            "rows": rows.map { row -> [String: Any] in
                ["method": row.method.rawValue, "label": row.label, "total_ms": milliseconds(row.total), "simulate_ms": milliseconds(row.simulate),
                 "solve_ms": milliseconds(row.solve), "parameter_gradient_ms": milliseconds(row.parameterGradient),
                 "solver_iterations": row.solverIterationsPerStep, "transient_peak_bytes": row.transientPeakBytes,
                 "absolute_peak_bytes": row.absolutePeakBytes]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The rows as a Markdown table.
    public static func markdown(_ rows: [Row], configuration: TrainingConfiguration, gemmRate: Double) -> String {
        var lines = [
            "CPU: \(Processor.description).",
            "",
            "| \(configuration.model.rawValue) \(configuration.method.rawValue) T=\(configuration.timeSteps) B=\(configuration.batchSize) | ms/iter median (best) | simulate | solve | param-grad | solver it | samples/s | transient MB | absolute MB | GFLOP/s (% of sgemm) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            lines.append(String(format: "| %@ | %.1f (%.1f) | %.1f | %.1f | %.1f | %@ | %.0f | %.1f | %.1f | %.0f (%.0f %%) |",
                                row.label, 1000 * row.total.median, 1000 * row.total.best, 1000 * row.simulate.median,
                                1000 * row.solve.median, 1000 * row.parameterGradient.median,
                                row.solverIterations.isNaN ? "—" : String(format: "%.1f", row.solverIterations),
                                row.samplesPerSecond, Double(row.transientPeakBytes) / 1e6,
                                Double(row.absolutePeakBytes) / 1e6, row.gigaflopsPerSecond,
                                100 * row.gigaflopsPerSecond / gemmRate))
        }
        return lines.joined(separator: "\n")
    }
}

extension TrainBenchmark {
    /// Wall time of one full training epoch (no evaluation) on the real data, and its data-wait
    /// fraction; nil when the data is not under the data root.
    public func realEpoch() throws -> RealEpoch? {
        guard let dataset else { return nil }
        let session = try TrainingSession(configuration: configuration, dataset: dataset,
                                          augmentation: settings.run.augmentation, root: root, seed: 0)
        let summary = try session.trainEpoch(0)
        return RealEpoch(dataset: dataset, seconds: summary.seconds, batches: summary.batches,
                         dataWaitFraction: summary.dataWaitFraction)
    }

    /// One timed epoch on the real data.
    public struct RealEpoch: Sendable, CustomStringConvertible {
        public let dataset: DatasetName
        public let seconds: Double
        public let batches: Int
        public let dataWaitFraction: Double

        public var description: String {
            String(format: "One real %@ training epoch: %.1f s (%d batches, data wait %.1f %%)", dataset.rawValue, seconds,
                   batches, 100 * dataWaitFraction)
        }
    }
}
