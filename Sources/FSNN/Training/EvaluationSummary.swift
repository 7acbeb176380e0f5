/// Test metrics: loss, accuracy, firing rates spikes/(neurons × T × samples) per layer, SOPs
/// per sample, the residual trace averaged over batches, and every sample's predicted class (for
/// paired tests of two models on the same test samples).
public struct EvaluationSummary: Sendable {
    public let layerSizes: [Int]
    public let synapsesPerSpike: [Double]
    public let timeSteps: Int
    public private(set) var samples = 0
    private var lossSum: Double = 0
    private var correct = 0
    private var spikes: [Double]
    private var traceSum: [Double] = []
    private var traces = 0
    /// Per test sample in evaluation order: the predicted class and the label.
    public private(set) var predictions: [Int] = []
    public private(set) var labels: [Int] = []

    init(layerSizes: [Int], synapsesPerSpike: [Double], timeSteps: Int) {
        self.layerSizes = layerSizes
        self.synapsesPerSpike = synapsesPerSpike
        self.timeSteps = timeSteps
        spikes = Array(repeating: 0, count: layerSizes.count)
    }

    mutating func add(_ report: EvaluationReport) {
        samples += report.samples
        lossSum += Double(report.loss) * Double(report.samples)
        correct += report.correct
        predictions += report.predictions
        labels += report.labels
        for (layer, count) in report.spikeCounts.enumerated() { spikes[layer] += count }
        if let trace = report.residualTrace {
            if traceSum.isEmpty { traceSum = Array(repeating: 0, count: trace.count) }
            for (t, value) in trace.enumerated() { traceSum[t] += Double(value) }
            traces += 1
        }
    }

    public var loss: Double { samples > 0 ? lossSum / Double(samples) : .nan }
    public var accuracy: Double { samples > 0 ? Double(correct) / Double(samples) : .nan }
    /// spikes / (neurons × T × samples) per layer.
    public var layerRates: [Double] {
        firingRates(spikeCounts: spikes, layerSizes: layerSizes, timeSteps: timeSteps, samples: samples)
    }
    /// All layers' spikes over all their neurons.
    public var meanRate: Double {
        firingRates(spikeCounts: [spikes.reduce(0, +)], layerSizes: [layerSizes.reduce(0, +)], timeSteps: timeSteps,
                    samples: samples)[0]
    }
    /// Synaptic operations per sample and layer: spikes × mean fan-out.
    public var synapticOperations: [Double] {
        zip(spikes, synapsesPerSpike).map { $0 * $1 / Double(max(samples, 1)) }
    }
    /// Mean residual ‖f(a[t]) − a[t]‖/‖a[t]‖ for t = 1…T over the test batches, when traced.
    public var residualTrace: [Double] { traceSum.map { $0 / Double(max(traces, 1)) } }
}
