import Datasets
import FSNN
import Foundation
import HDF5
import Tensor

/// `fsnn inspect trace`: one sample through a checkpoint's model in evaluation mode (as the
/// evaluation runs it: running-statistics BN, no dropout), every spiking layer's spikes and
/// pre-spike membranes at every step written to HDF5, and drawn by gnuplot as a spike raster and
/// a membrane-potential plot (the use of SpikingJelly's monitors):
///
/// ```
/// /                          @checkpoint @epoch @table @row @seed @dataset @split @sample @label @predicted
///                            @time_steps @threshold @neuron @lambda
/// /layers/<layer>            @layer (hidden, L1 … L5) @block (input, layers.<l>) @shape (sample shape)
///                            @neurons @time_steps @sample @label @checkpoint @spike_count
/// /layers/<layer>/spikes     float32 [T, neurons]   s_l[t] ∈ {0, 1}, t = 1 … T (row t − 1)
/// /layers/<layer>/membrane   float32 [T, neurons]   m_l[t] before the spike and reset (spec §2.1): s = H(m − V_th)
/// ```
///
/// Neurons are numbered in the layer's C×H×W (row-major) order. The steps are recorded by the
/// simulation itself (its `SimulationHistory(membranesOf:batchSize:)` observer), not by a second loop.
public struct TraceInspection {
    public var checkpoint: String
    public var dataRoot: DataRoot
    /// Default: the dataset the checkpoint was trained on.
    public var dataset: DatasetName?
    public var split: GradientInspection.Split = .test
    public var sample: Int
    /// Draw the figures (needs gnuplot on PATH); the HDF5 file is written either way.
    public var drawFigures = true

    /// Neurons a raster shows per layer at most (an evenly strided subset of the neurons that spiked).
    public static let rasterNeurons = 256
    /// Neurons whose membrane is drawn per layer.
    public static let membraneNeurons = 4

    public init(checkpoint: String, dataRoot: DataRoot, sample: Int) {
        self.checkpoint = checkpoint
        self.dataRoot = dataRoot
        self.sample = sample
    }

    /// One layer's recorded steps.
    public struct LayerTrace: Sendable {
        public var name: String
        public var block: String
        public var shape: [Int]
        /// [T, neurons], 0 or 1.
        public var spikes: Tensor
        /// [T, neurons], m[t] before the spike.
        public var membrane: Tensor

        public var neurons: Int { shape.reduce(1, *) }
        public var spikeCount: Int { Int(spikes.sum()) }

        /// Spikes of each neuron over the T steps.
        public var spikesPerNeuron: [Int] {
            var counts = [Int](repeating: 0, count: neurons)
            for (index, spike) in spikes.scalars.enumerated() where spike != 0 { counts[index % neurons] += 1 }
            return counts
        }
    }

    public struct Result: Sendable {
        public var label: Int
        public var predicted: Int
        public var timeSteps: Int
        public var threshold: Float
        public var layers: [LayerTrace]
        /// The simulation's own spike count per layer (`Simulation.spikeCounts`).
        public var simulationSpikeCounts: [Double]
        /// The PNGs drawn (empty without gnuplot or with `drawFigures` off).
        public var figures: [String]
        /// Why figures are missing, when they are.
        public var figureProblems: [String]

        /// A Markdown table of the layers' spike counts and rates.
        public var table: String {
            var text = "| layer | neurons | spikes | rate |\n|---|--:|--:|--:|\n"
            for layer in layers {
                text += String(format: "| %@ | %d | %d | %.5f |\n", layer.name, layer.neurons, layer.spikeCount,
                               Double(layer.spikeCount) / Double(layer.neurons * timeSteps))
            }
            return text + "\nlabel \(label), predicted \(predicted), T = \(timeSteps)\n"
        }
    }

    /// Simulates the sample and writes `output` (atomically) and, beside it, `<stem>-raster.png`
    /// and `<stem>-membrane.png` with their gnuplot data and scripts.
    public func write(to output: String) throws -> Result {
        let model = try CheckpointedModel(checkpoint, dataRoot: dataRoot, dataset: dataset)
        let session = model.session, trainer = session.trainer, network = trainer.network
        let data = split == .train ? session.dataset.train : session.dataset.test
        let (inputs, labels) = try GradientInspection.samples([sample], of: data)
        let report = try trainer.evaluate(session.networkInput(inputs), labels: labels, recordingSteps: true)
        let membranes = report.membranes ?? []
        let threshold = network.threshold
        let layers = try zip(zip(network.layerNames, network.namedBlocks), membranes).map { names, membrane in
            LayerTrace(name: names.0, block: names.1.name, shape: names.1.block.outputSampleShape,
                       spikes: try Tensor(shape: membrane.shape, values: membrane.scalars.map { $0 >= threshold ? 1 : 0 }),
                       membrane: membrane)
        }
        let logits = report.logits.scalars
        let predicted = logits.indices.max { logits[$0] < logits[$1] } ?? 0
        var result = Result(label: labels[0], predicted: predicted, timeSteps: network.timeSteps, threshold: threshold,
                            layers: layers, simulationSpikeCounts: report.spikeCounts, figures: [], figureProblems: [])

        try OutputFile.writeHDF5(to: output) { file in
            let common: [(String, HDF5AttributeValue)] = [
                ("checkpoint", .string(checkpoint)), ("sample", .integer(Int64(sample))),
                ("label", .integer(Int64(labels[0]))), ("time_steps", .integer(Int64(network.timeSteps))),
            ]
            let run: [(String, HDF5AttributeValue)] = [
                ("epoch", .integer(Int64(model.progress.epoch))), ("table", .string(model.identity.table)),
                ("row", .string(model.identity.row)), ("seed", .integer(Int64(model.identity.seed))),
                ("dataset", .string(session.dataset.name.rawValue)), ("split", .string(split.rawValue)),
                ("predicted", .integer(Int64(predicted))), ("threshold", .double(Double(threshold))),
                ("neuron", .string(network.neuron == .integrateAndFire ? "if" : "lif")), ("lambda", .double(Double(network.neuron.lambda))),
            ]
            for (name, value) in common + run { try file.setAttribute(name, value) }
            for layer in layers {
                let group = "/layers/\(layer.name)"
                try file.write(layer.spikes, to: "\(group)/spikes")
                try file.write(layer.membrane, to: "\(group)/membrane")
                let attributes: [(String, HDF5AttributeValue)] = [
                    ("layer", .string(layer.name)), ("block", .string(layer.block)),
                    ("shape", .integers(layer.shape.map(Int64.init))), ("neurons", .integer(Int64(layer.neurons))),
                    ("spike_count", .integer(Int64(layer.spikeCount))),
                ]
                for (name, value) in attributes + common { try file.setAttribute(name, value, on: group) }
            }
        }
        if drawFigures {
            let stem = (output as NSString).deletingPathExtension
            let directory = (stem as NSString).deletingLastPathComponent
            let figures = [rasterFigure(result, name: (stem as NSString).lastPathComponent + "-raster"),
                           membraneFigure(result, name: (stem as NSString).lastPathComponent + "-membrane")]
            (result.figures, result.figureProblems) = try GnuplotFigure.render(figures, in: directory.isEmpty ? "." : directory)
        }
        return result
    }

    private var caption: String { "sample \(sample) of \(split.rawValue)" }

    /// Time step against neuron index, a dot per spike, over the neurons that spiked: all of them,
    /// or every k-th when there are more than `rasterNeurons` (k in the panel title).
    private func rasterFigure(_ result: Result, name: String) -> GnuplotFigure {
        let panels = result.layers.map { layer in
            let counts = layer.spikesPerNeuron
            let active = counts.indices.filter { counts[$0] > 0 }
            let stride = max(1, (active.count + Self.rasterNeurons - 1) / Self.rasterNeurons)
            let shown = Swift.stride(from: 0, to: active.count, by: stride).map { active[$0] }
            let spikes = layer.spikes.scalars
            var points: [(x: Double, y: Double)] = []
            for t in 0..<result.timeSteps {
                for neuron in shown where spikes[t * layer.neurons + neuron] != 0 {
                    points.append((Double(t + 1), Double(neuron)))
                }
            }
            let drawn = stride == 1 ? "" : "; 1 in \(stride) of those drawn"
            return GnuplotFigure.Panel(
                title: "\(layer.name): \(layer.spikeCount) spikes from \(active.count) of \(layer.neurons) neurons\(drawn)",
                xLabel: "time step t", yLabel: "neuron",
                series: [GnuplotFigure.Series(title: "spike", points: points, style: .dots)],
                xRange: 0.5...(Double(result.timeSteps) + 0.5), yRange: -0.5...(Double(layer.neurons) - 0.5))
        }
        return GnuplotFigure(name: name, title: "Spike raster, \(caption)", panels: panels,
                             columns: panels.count > 1 ? 2 : 1)
    }

    /// m[t] against t of `membraneNeurons` neurons per layer, chosen at evenly spaced ranks of
    /// spike count among the neurons that spiked (the most active first), and the threshold.
    private func membraneFigure(_ result: Result, name: String) -> GnuplotFigure {
        let steps = (1...result.timeSteps).map(Double.init)
        let panels = result.layers.map { layer in
            let chosen = Self.representativeNeurons(layer, count: Self.membraneNeurons)
            let membrane = layer.membrane.scalars
            var series = chosen.enumerated().map { index, neuron in
                GnuplotFigure.Series(title: "neuron \(neuron)",
                                     points: steps.map { ($0, Double(membrane[(Int($0) - 1) * layer.neurons + neuron])) },
                                     color: index)
            }
            series.append(GnuplotFigure.Series(title: "threshold V_th = \(result.threshold)",
                                               points: [(steps[0], Double(result.threshold)),
                                                        (steps[steps.count - 1], Double(result.threshold))],
                                               dash: .dashed, color: 7))
            return GnuplotFigure.Panel(title: layer.name, xLabel: "time step t", yLabel: "membrane m[t] before spike",
                                       series: series)
        }
        return GnuplotFigure(name: name, title: "Membrane potentials, \(caption)", panels: panels,
                             columns: panels.count > 1 ? 2 : 1)
    }

    /// Up to `count` neurons at evenly spaced ranks of spike count among those that spiked (the
    /// first neurons when none did).
    static func representativeNeurons(_ layer: LayerTrace, count: Int) -> [Int] {
        let counts = layer.spikesPerNeuron, n = layer.neurons
        let active = (0..<n).filter { counts[$0] > 0 }.sorted { (counts[$0], $1) > (counts[$1], $0) }
        guard !active.isEmpty else { return Array(0..<min(count, n)) }
        let picks = min(count, active.count)
        return (0..<picks).map { active[$0 * (active.count - 1) / max(picks - 1, 1)] }
    }
}
