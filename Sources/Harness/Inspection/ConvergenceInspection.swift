import Datasets
import FSNN
import Foundation
import HDF5

/// `fsnn inspect convergence`: the residual ‖f(a[t]) − a[t]‖ / ‖a[t]‖ for t = 1…steps of a
/// checkpoint's model on its first test batches (spec §9.5), as the runner records the
/// convergence figure's traces.
public struct ConvergenceInspection {
    public var checkpoint: String
    public var dataRoot: DataRoot
    /// Default: the dataset the checkpoint was trained on.
    public var dataset: DatasetName?
    /// Simulation steps; default: the run's T.
    public var steps: Int?
    public var batches = 1

    public init(checkpoint: String, dataRoot: DataRoot) {
        self.checkpoint = checkpoint
        self.dataRoot = dataRoot
    }

    public struct Result: Sendable {
        public var checkpoint: String
        public var trace: ConvergenceTrace

        /// The residual at t = 1, 2, 5, 10, 20, 50, … and at the last step.
        public var table: String {
            let steps = trace.residualMean.count
            var shown = [Int]()
            var decade = 1
            while decade <= steps {
                shown += [1, 2, 5].map { $0 * decade }.filter { $0 <= steps }
                decade *= 10
            }
            if shown.last != steps { shown.append(steps) }
            var text = "| t | residual (mean) | std across batches (— for one batch) |\n|--:|--:|--:|\n"
            for t in shown {
                // One batch has no spread across batches: "—", not "nan".
                let std = trace.residualStd[t - 1]
                text += String(format: "| %d | %.4e | %@ |\n", t, trace.residualMean[t - 1],
                               std.isFinite ? String(format: "%.2e", std) : "—")
            }
            return text + "\n\(trace.samples) test samples, model after epoch \(trace.epoch)\n"
        }

        /// Writes `/convergence/checkpoint` in the result-file layout, with `@checkpoint` on the root.
        public func write(to path: String) throws {
            try OutputFile.writeHDF5(to: path) { file in
                try file.setAttribute("checkpoint", checkpoint)
                try ResultStore.write(trace, into: file)
            }
        }
    }

    public func measure() throws -> Result {
        let model = try CheckpointedModel(checkpoint, dataRoot: dataRoot, dataset: dataset)
        let trace = try ModelMeasurements.residualTrace(
            of: model.session, steps: steps ?? model.session.configuration.timeSteps, batches: batches,
            name: "checkpoint", epoch: model.progress.epoch)
        return Result(checkpoint: checkpoint, trace: trace)
    }
}
