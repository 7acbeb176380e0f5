import Datasets
import Foundation
import FSNN
import Tensor

/// `fsnn bench train`: the cost of one training iteration of a zoo model, split into simulate /
/// solve / parameter-gradient, with the solver's stopping rule and with every solve forced to its
/// iteration cap, on real batches when the dataset is under the data root (random ones otherwise).
/// Also reports samples/s, peak tensor bytes, the achieved GFLOP/s of the BLAS products against a
/// 1024² sgemm measured in the same process, and optionally the wall time of one real epoch.
public struct TrainBenchmark {
    public var configuration: TrainingConfiguration
    public var dataset: DatasetName
    public var root: DataRoot
    public var warmups: Int
    public var iterations: Int

    public init(configuration: TrainingConfiguration, dataset: DatasetName, root: DataRoot, warmups: Int = 3,
                iterations: Int = 20) {
        self.configuration = configuration
        self.dataset = dataset
        self.root = root
        self.warmups = warmups
        self.iterations = iterations
    }

    /// One measured variant.
    public struct Row: Sendable {
        public let label: String
        public let total: Timing
        public let simulate: Timing
        public let solve: Timing
        public let parameterGradient: Timing
        public let solverIterations: Double
        public let samplesPerSecond: Double
        public let transientPeakBytes: Int
        public let absolutePeakBytes: Int
        public let gigaflopsPerSecond: Double
    }

    /// Every variant (stopping rule, forced cap for IDE); `progress` receives status lines.
    public func run(progress: (String) -> Void = { _ in }) throws -> [Row] {
        let data = try? DatasetCatalog.load(dataset, from: root)
        progress(data == nil ? "\(dataset.rawValue) not found under \(root): random batches"
                             : "real \(dataset.rawValue) batches")
        var variants = [("stopping rule", configuration)]
        if configuration.method == .ide {
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
        for (index, (input, labels)) in batches.enumerated() {
            let before = BLAS.operationCount
            let report = try trainer.trainStep(input, labels: labels)
            guard index >= warmups else { continue }
            operations += BLAS.operationCount - before
            seconds += report.timing.total
            reports.append(report)
        }
        func timing(_ phase: (StepTiming) -> Double) -> Timing { Timing(seconds: reports.map { phase($0.timing) }) }
        let total = timing(\.total)
        return Row(label: label, total: total, simulate: timing(\.simulate), solve: timing(\.solve),
                   parameterGradient: timing(\.parameterGradient),
                   solverIterations: SampleSummary(reports.compactMap { $0.solver.map { Double($0.iterations) } })?.mean
                       ?? .nan,
                   samplesPerSecond: Double(configuration.batchSize) / total.median,
                   transientPeakBytes: reports.map(\.transientPeakBytes).max() ?? 0,
                   absolutePeakBytes: reports.map(\.absolutePeakBytes).max() ?? 0,
                   gigaflopsPerSecond: Double(operations) / seconds / 1e9)
    }

    /// `count` batches: consecutive shuffled training batches of the real data, or N(0, 1) images
    /// (Bernoulli(0.1) frames for spike models) with random labels.
    private func batches(_ configuration: TrainingConfiguration, data: Dataset?, generator: inout RandomGenerator,
                         count: Int) throws -> [(NetworkInput, [Int])] {
        let spikes = ModelZoo.takesSpikes(configuration.model)
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

    /// The rows as a Markdown table.
    public static func markdown(_ rows: [Row], configuration: TrainingConfiguration, gemmRate: Double) -> String {
        var lines = [
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
    /// The dataset a zoo model is trained on in the paper.
    public static func defaultDataset(for model: ModelName) -> DatasetName {
        switch model {
        case .fmnistF400: return .fashionMNIST
        case .mnist64C5sF64C5: return .mnist
        case .nmnist64C5sF64C5P1, .nmnist64C5sF64C5P2: return .nmnist
        case .alexnetF, .cifarnetF: return .cifar10Subset
        }
    }

    /// Wall time of one full training epoch (no evaluation) and its data-wait fraction.
    public static func realEpoch(configuration: TrainingConfiguration, dataset: DatasetName, root: DataRoot) throws
        -> (seconds: Double, batches: Int, dataWaitFraction: Double) {
        let session = try TrainingSession(configuration: configuration,
                                          dataset: try DatasetCatalog.load(dataset, from: root), seed: 0)
        let summary = try session.trainEpoch(0)
        return (summary.seconds, summary.batches, summary.dataWaitFraction)
    }
}
