import Datasets
import FSNN
import Foundation
import HDF5

/// `fsnn inspect rates`: the per-layer test firing rates and synaptic operations of a checkpoint's
/// model (spec §9.4, Table 5), measured as the runner measures them after the last epoch:
/// evaluation mode (dropout off), the run's test subset and batches unless told otherwise.
public struct RateInspection {
    public var checkpoint: String
    public var dataRoot: DataRoot
    /// Default: the dataset the checkpoint was trained on.
    public var dataset: DatasetName?
    /// Test batches to evaluate; default: the run's own cap (all batches when it had none).
    public var testBatches: Int?

    public init(checkpoint: String, dataRoot: DataRoot) {
        self.checkpoint = checkpoint
        self.dataRoot = dataRoot
    }

    public struct Result: Sendable {
        public var checkpoint: String
        public var rates: FiringRates
        public var layerNames: [String]
        /// Test accuracy of the evaluation, percent.
        public var testAccuracy: Double
        /// Whether quirk B4 divided the rates by 5.
        public var dividedByFive: Bool

        /// A Markdown table: layer, neurons, rate, SOPs per sample, and the pooled rate.
        public var table: String {
            var text = "| layer | neurons | firing rate | SOPs / sample |\n|---|--:|--:|--:|\n"
            for (index, name) in layerNames.enumerated() {
                text += String(format: "| %@ | %d | %.5f | %.4g |\n", name, rates.neurons[index], rates.rates[index],
                               rates.synapticOperations[index])
            }
            text += String(format: "| all | %d | %.5f | %.4g |\n", rates.neurons.reduce(0, +), rates.overallRate,
                           rates.totalSynapticOperations)
            text += String(format: "\n%d test samples, T = %d, test accuracy %.2f %%, model after epoch %d",
                           rates.samples, rates.timeSteps, testAccuracy, rates.epoch)
            return text + (dividedByFive ? "; rates divided by 5 (quirk rate_stats_div5)\n" : "\n")
        }

        /// Writes the `/rates` group of the result-file layout, with `@checkpoint` on the root.
        public func write(to path: String) throws {
            try OutputFile.writeHDF5(to: path) { file in
                try file.setAttribute("checkpoint", checkpoint)
                try file.setAttribute("test_acc", testAccuracy)
                try ResultStore.write(rates, layerNames: layerNames, into: file)
            }
        }
    }

    public func measure() throws -> Result {
        let model = try CheckpointedModel(checkpoint, dataRoot: dataRoot, dataset: dataset) { _ in } adjustLimits: { limits in
            if let testBatches { limits.testBatches = testBatches }
        }
        let test = try model.session.evaluate()
        let quirks = model.session.configuration.quirks
        return Result(checkpoint: checkpoint,
                      rates: ModelMeasurements.firingRates(test, epoch: model.progress.epoch, quirks: quirks),
                      layerNames: model.session.trainer.network.layerNames, testAccuracy: 100 * test.accuracy,
                      dividedByFive: quirks.contains(.rateStatsDiv5))
    }
}
