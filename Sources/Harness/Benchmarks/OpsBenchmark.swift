import FSNN
import Foundation
import Layers
import Tensor

/// `fsnn bench ops`: the speed of the products every training step is made of, for each OpenBLAS
/// thread count: a 1024² sgemm (the machine's reference rate) and the forward, input-gradient and
/// weight-gradient passes of the MNIST feedback convolution (Conv2d 64→64 k5 s1 p2 on 14×14) and
/// of the AlexNet-F feedback (ConvTranspose2d 256→96 k3 s2 p1 op1, 8×8 → 16×16), on one batch.
///
/// Rates count 2 flops per multiply–add of the dense product, padding included (the usual
/// convention, so they compare directly with the sgemm rate). The thread count is set with
/// `BLAS.threadCount` and `Parallel.workerCount` for each row group and restored afterwards;
/// `OPENBLAS_*` environment variables are reported as found, never changed.
public struct OpsBenchmark: Sendable {
    public var threadCounts: [Int]
    public var batch: Int
    public var stopwatch: Stopwatch
    /// The density table's operand densities.
    public var densities: [Float]
    /// Only the density table's layers whose name contains this text, when given.
    public var layerFilter: String?

    public init(threadCounts: [Int] = [1, 2], batch: Int = 128, stopwatch: Stopwatch = Stopwatch(warmups: 1, repetitions: 5),
                densities: [Float] = EventDrivenBenchmark.defaultDensities, layerFilter: String? = nil) {
        self.threadCounts = threadCounts
        self.batch = batch
        self.stopwatch = stopwatch
        self.densities = densities
        self.layerFilter = layerFilter
    }

    /// One timed operation at one thread count.
    public struct Row: Sendable {
        public let threads: Int
        public let operation: String
        /// Floating-point operations of one call.
        public let flops: Double
        public let timing: Timing
        public var medianRate: Double { flops / timing.median / 1e9 }
        public var bestRate: Double { flops / timing.best / 1e9 }
    }

    /// Runs every operation for every thread count; `progress` receives one line per operation.
    public func run(progress: (String) -> Void = { _ in }) throws(TensorError) -> OpsBenchmarkReport {
        var generator = RandomGenerator(seed: 0)
        let conv = try Conv2d(inputChannels: 64, outputChannels: 64, kernelSize: (5, 5), stride: 1, padding: 2,
                              bias: false, inputSize: (14, 14), initialization: .uniformUnitNorm, generator: &generator)
        let convTranspose = try ConvTranspose2d(
            inputChannels: 256, outputChannels: 96, kernelSize: (3, 3), stride: 2, padding: 1, outputPadding: 1,
            inputSize: (8, 8), initialization: .uniformUnitNorm, generator: &generator)
        let reference = ReferenceProduct(using: &generator)
        var work: [(name: String, flops: Double, body: () throws(TensorError) -> Void)] = [
            (reference.name, reference.flops, { reference.run() }),
        ]
        for (label, layer) in [("Conv2d 64→64 k5 s1 p2, 14×14", conv as any AffineLayer),
                               ("ConvTranspose2d 256→96 k3 s2 p1 op1, 8×8→16×16", convTranspose)] {
            work += try passes(of: layer, label: label, using: &generator)
        }

        let savedThreads = BLAS.threadCount, savedWorkers = Parallel.workerCount
        defer {
            BLAS.threadCount = savedThreads
            Parallel.workerCount = savedWorkers
        }
        var rows: [Row] = []
        for threads in threadCounts {
            BLAS.threadCount = threads
            Parallel.workerCount = threads
            for item in work {
                let timing = try stopwatch.measure(item.body)
                let row = Row(threads: threads, operation: item.name, flops: item.flops, timing: timing)
                progress(String(format: "%d thread(s)  %@: %.1f GFLOP/s median, %.1f best",
                                threads, item.name, row.medianRate, row.bestRate))
                rows.append(row)
            }
        }
        BLAS.threadCount = savedThreads
        Parallel.workerCount = savedWorkers
        let events = EventDrivenBenchmark(batch: batch, stopwatch: stopwatch, densities: densities, layerFilter: layerFilter)
        let densityRows = try events.run(progress: progress)
        return OpsBenchmarkReport(batch: batch, stopwatch: stopwatch, rows: rows, densityTable: events.markdown(densityRows),
                                  defaultThreadCount: savedThreads, defaultWorkerCount: savedWorkers)
    }

    /// Forward (A_W x), input gradient (A_Wᵀ dy) and weight gradient of `layer` on one batch of
    /// uniform data; each pass costs 2 · N · (multiply–adds per sample of the dense product).
    private func passes(of layer: any AffineLayer, label: String, using generator: inout RandomGenerator)
        throws(TensorError) -> [(name: String, flops: Double, body: () throws(TensorError) -> Void)] {
        let x = Tensor(zeros: [batch] + layer.inputSampleShape), y = Tensor(zeros: [batch] + layer.outputSampleShape)
        x.fillUniform(-1..<1, using: &generator)
        y.fillUniform(-1..<1, using: &generator)
        let dx = Tensor(zeros: x.shape), w = layer.weight.value, dW = layer.weight.gradient
        let flops = 2 * Double(batch) * Double(layer.multiplyAddsPerSample)
        return [
            ("\(label): forward", flops, { () throws(TensorError) in try layer.apply(weight: w, to: x, into: y) }),
            ("\(label): input gradient", flops, { () throws(TensorError) in
                try layer.applyTransposed(weight: w, to: y, into: dx) }),
            ("\(label): weight gradient", flops, { () throws(TensorError) in
                try layer.accumulateWeightGradient(input: x, outputGradient: y, into: dW) }),
        ]
    }
}

/// The result of `OpsBenchmark.run`, with the environment that determines the rates.
public struct OpsBenchmarkReport: Sendable {
    public let batch: Int
    public let stopwatch: Stopwatch
    public let rows: [OpsBenchmark.Row]
    /// `EventDrivenBenchmark`'s table at the default thread and worker counts.
    public let densityTable: String
    /// `BLAS.threadCount` and `Parallel.workerCount` of the process outside the benchmark.
    public let defaultThreadCount: Int
    public let defaultWorkerCount: Int
    public let openBLASCore = BLAS.coreName
    public let openBLASConfiguration = BLAS.configuration
    public let processorCount = BLAS.processorCount
    /// `OPENBLAS_*` variables of this process, as found.
    public let openBLASEnvironment = ProcessInfo.processInfo.environment
        .filter { $0.key.hasPrefix("OPENBLAS_") }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }

    /// A Markdown section for the README's Performance part: environment, then one table row per
    /// operation and thread count, with the share of the sgemm rate at the same thread count
    /// (median against median, best against best: the best is the least disturbed by other jobs).
    public var markdown: String {
        let environment = openBLASEnvironment.isEmpty ? "none set" : openBLASEnvironment.map { "`\($0)`" }.joined(separator: ", ")
        var lines = [
            "CPU: \(Processor.description).",
            "OpenBLAS core `\(openBLASCore)` (\(openBLASConfiguration)), \(processorCount) processors, "
                + "\(defaultThreadCount) OpenBLAS threads and \(defaultWorkerCount) workers by default; "
                + "OPENBLAS_* environment: \(environment).",
            "Batch \(batch); median and best of \(stopwatch.repetitions) repetition(s) after \(stopwatch.warmups) warm-up(s); "
                + "GFLOP/s count 2 flops per multiply–add of the dense product.",
            "",
            "| threads | operation | median ms | best ms | GFLOP/s (median) | GFLOP/s (best) | % of sgemm (median / best) |",
            "|---:|---|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let sgemm = rows.first { $0.threads == row.threads }!
            lines.append(String(format: "| %d | %@ | %.2f | %.2f | %.1f | %.1f | %.0f / %.0f %% |", row.threads,
                                row.operation, row.timing.median * 1e3, row.timing.best * 1e3, row.medianRate,
                                row.bestRate, 100 * row.medianRate / sgemm.medianRate,
                                100 * row.bestRate / sgemm.bestRate))
        }
        lines += ["", "Event-driven products against the dense ones, \(defaultWorkerCount) worker(s): speed-up "
                  + "(event-driven median ms).", "", densityTable]
        return lines.joined(separator: "\n")
    }
}
