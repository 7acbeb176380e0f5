import FSNN
import Foundation
import Layers
import Tensor

/// `fsnn bench ops`' density table: for the layers the paper's networks feed spikes and sparse
/// gradients into, the time of each event-driven product (`EventDrivenProducts`) at a range of
/// operand densities against its dense counterpart (BLAS) on the same batch, the speed-up, and the
/// density at which the dense product becomes faster (the measured crossover) next to the one the
/// networks use.
///
/// Operands: Bernoulli(ρ) spikes for the spike products; U(0, 1) rates, or U(−1, 1) gradients, kept
/// with probability ρ for the real-valued ones; the weight gradients' output gradient is dense.
public struct EventDrivenBenchmark: Sendable {
    public var batch: Int
    public var stopwatch: Stopwatch
    public var densities: [Float]
    /// Only layers whose name contains this text, when given.
    public var layerFilter: String?

    /// The densities measured unless others are given.
    public static let defaultDensities: [Float] = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5]

    /// Whether the dense products are timed too (valgrind, say, runs BLAS a hundred times slower).
    public var timesDenseProducts: Bool

    public init(batch: Int = 128, stopwatch: Stopwatch = Stopwatch(warmups: 1, repetitions: 5),
                densities: [Float] = defaultDensities, layerFilter: String? = nil, timesDenseProducts: Bool = true) {
        self.batch = batch
        self.stopwatch = stopwatch
        self.densities = densities
        self.layerFilter = layerFilter
        self.timesDenseProducts = timesDenseProducts
    }

    /// One product of one layer: the dense time (when measured) and the event-driven time per density.
    public struct Row: Sendable {
        public let layer: String
        public let product: String
        public let dense: Timing?
        public let events: [(density: Float, timing: Timing)]
        /// The crossover the networks use for this product.
        public let crossoverInUse: Float

        /// Dense median over event-driven median at each density; empty without the dense time.
        public var speedUps: [Float] { dense.map { dense in events.map { Float(dense.median / $0.timing.median) } } ?? [] }

        /// The density where the speed-up falls to 1, linearly interpolated between the measured
        /// densities; nil when the event-driven product wins everywhere measured or the dense
        /// product was not timed.
        public var measuredCrossover: Float? {
            let ups = speedUps
            for i in ups.indices.dropFirst() where ups[i] <= 1 && ups[i - 1] > 1 {
                let (d0, d1) = (events[i - 1].density, events[i].density)
                return d0 + (d1 - d0) * (ups[i - 1] - 1) / (ups[i - 1] - ups[i])
            }
            return ups.first.map { $0 <= 1 ? 0 : nil } ?? nil
        }
    }

    /// The paper's layers with the names of the networks that use them.
    static func layers(using generator: inout RandomGenerator) throws(TensorError) -> [(String, any AffineLayer)] {
        func conv(_ i: Int, _ o: Int, _ k: Int, stride: Int, padding: Int, size: Int) throws(TensorError) -> Conv2d {
            try Conv2d(inputChannels: i, outputChannels: o, kernelSize: (k, k), stride: stride, padding: padding,
                       inputSize: (size, size), initialization: .uniformUnitNorm, generator: &generator)
        }
        return [
            ("F400 feedback Linear 400→400",
             Linear(inputFeatures: 400, outputFeatures: 400, bias: false, initialization: .uniformUnitNorm,
                    generator: &generator)),
            ("MNIST feedback Conv2d 64→64 k5 s1 p2 14×14", try conv(64, 64, 5, stride: 1, padding: 2, size: 14)),
            ("AlexNet-F feedback ConvTranspose2d 256→96 k3 s2 8×8→16×16",
             try ConvTranspose2d(inputChannels: 256, outputChannels: 96, kernelSize: (3, 3), stride: 2, padding: 1,
                                 outputPadding: 1, inputSize: (8, 8), initialization: .uniformUnitNorm,
                                 generator: &generator)),
            ("AlexNet-F L2 Conv2d 96→256 k3 16×16", try conv(96, 256, 3, stride: 1, padding: 1, size: 16)),
            ("AlexNet-F L3 Conv2d 256→384 k3 s2 16×16→8×8", try conv(256, 384, 3, stride: 2, padding: 1, size: 16)),
            ("AlexNet-F L4 Conv2d 384→384 k3 8×8", try conv(384, 384, 3, stride: 1, padding: 1, size: 8)),
            ("AlexNet-F L5 Conv2d 384→256 k3 8×8", try conv(384, 256, 3, stride: 1, padding: 1, size: 8)),
        ]
    }

    /// Every product of every layer; `progress` receives one line per row.
    public func run(progress: (String) -> Void = { _ in }) throws(TensorError) -> [Row] {
        var generator = RandomGenerator(seed: 0)
        var rows: [Row] = []
        for (name, layer) in try Self.layers(using: &generator) where layerFilter.map(name.contains) ?? true {
            let products = EventDrivenProducts(layer: layer)
            let crossovers = products.crossovers
            let input = [batch] + layer.inputSampleShape, output = [batch] + layer.outputSampleShape
            let y = Tensor(zeros: output), x = Tensor(zeros: input), dW = Tensor(zeros: layer.weight.shape)
            let gradient = Tensor(zeros: output)
            gradient.fillUniform(-1..<1, using: &generator)
            let spikes = densities.map { Self.spikes(input, density: $0, &generator) }
            let rates = densities.map { Self.sparse(input, density: $0, &generator) }
            let sparse = densities.map { Self.sparse(output, density: $0, &generator) }
            let w = layer.weight.value
            func row(_ product: String, crossover: Float, dense: () throws(TensorError) -> Void,
                     event: (Int) throws(TensorError) -> Void) throws(TensorError) -> Row {
                let denseTiming = timesDenseProducts ? try stopwatch.measure(dense) : nil
                var timings: [(Float, Timing)] = []
                for (i, density) in densities.enumerated() {
                    timings.append((density, try stopwatch.measure { () throws(TensorError) in try event(i) }))
                }
                let result = Row(layer: name, product: product, dense: denseTiming, events: timings,
                                 crossoverInUse: crossover)
                let times = denseTiming.map { String(format: "dense %.2f ms, speed-ups ", $0.median * 1e3) }
                    ?? "event-driven ms "
                let values = denseTiming == nil ? timings.map { $0.1.median * 1e3 } : result.speedUps.map(Double.init)
                progress("\(name) \(product): " + times + values.map { String(format: "%.2f", $0) }.joined(separator: " "))
                return result
            }
            rows.append(try row("forward", crossover: crossovers.forward, dense: { () throws(TensorError) in
                try layer.apply(weight: w, to: spikes[spikes.count - 1], into: y)
            }, event: { i throws(TensorError) in try products.forward(spikes: spikes[i], into: y) }))
            rows.append(try row("forward of rates", crossover: crossovers.sparseForward, dense: { () throws(TensorError) in
                try layer.apply(weight: w, to: rates[rates.count - 1], into: y)
            }, event: { i throws(TensorError) in try products.forward(sparse: rates[i], into: y) }))
            rows.append(try row("adjoint", crossover: crossovers.adjoint, dense: { () throws(TensorError) in
                try layer.applyTransposed(weight: w, to: sparse[sparse.count - 1], into: x)
            }, event: { i throws(TensorError) in try products.adjoint(sparse[i], into: x) }))
            rows.append(try row("weight gradient", crossover: crossovers.weightGradient, dense: { () throws(TensorError) in
                try layer.accumulateWeightGradient(input: spikes[spikes.count - 1], outputGradient: gradient, into: dW)
            }, event: { i throws(TensorError) in
                try products.accumulateWeightGradient(spikes: spikes[i], outputGradient: gradient, into: dW)
            }))
            rows.append(try row("weight gradient at rates", crossover: crossovers.sparseWeightGradient,
                                dense: { () throws(TensorError) in
                try layer.accumulateWeightGradient(input: rates[rates.count - 1], outputGradient: gradient, into: dW)
            }, event: { i throws(TensorError) in
                try products.accumulateWeightGradient(sparse: rates[i], outputGradient: gradient, into: dW)
            }))
        }
        return rows
    }

    static func spikes(_ shape: [Int], density: Float, _ generator: inout RandomGenerator) -> Tensor {
        let s = Tensor(zeros: shape)
        for i in 0..<s.count { s.pointer[i] = generator.nextBernoulli(density) ? 1 : 0 }
        return s
    }

    static func sparse(_ shape: [Int], density: Float, _ generator: inout RandomGenerator) -> Tensor {
        let x = Tensor(zeros: shape)
        for i in 0..<x.count where generator.nextBernoulli(density) { x.pointer[i] = generator.nextUniform() * 2 - 1 }
        return x
    }

    /// The density table in Markdown: speed-up over the dense product (event-driven ms in brackets;
    /// without the dense times, those alone).
    public func markdown(_ rows: [Row]) -> String {
        let header = densities.map { String(format: "ρ = %g", $0) }.joined(separator: " | ")
        var lines = [
            "| layer | product | dense ms | \(header) | crossover measured / in use |",
            "|---|---|---:|" + String(repeating: "---:|", count: densities.count) + "---:|",
        ]
        for row in rows {
            let cells = row.events.enumerated().map { i, event in
                let ms = event.timing.median * 1e3
                return row.dense == nil ? String(format: "(%.2f)", ms) : String(format: "%.1f× (%.2f)", row.speedUps[i], ms)
            }
            let measured = row.dense == nil ? "—"
                : row.measuredCrossover.map { String(format: "%.2f", $0) } ?? String(format: "> %g", densities.last!)
            let dense = row.dense.map { String(format: "%.2f", $0.median * 1e3) } ?? "—"
            lines.append("| \(row.layer) | \(row.product) | \(dense) | " + cells.joined(separator: " | ")
                + " | \(measured) / " + String(format: "%.2f", row.crossoverInUse) + " |")
        }
        return lines.joined(separator: "\n")
    }
}
