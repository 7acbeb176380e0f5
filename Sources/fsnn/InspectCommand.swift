import ArgumentParser
import Datasets
import FSNN
import Harness

/// `fsnn inspect …`: look inside a checkpoint's model.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Gradients, firing rates and convergence of a checkpointed model (runs/…/seed-<k>.checkpoint.h5).",
        subcommands: [Grads.self, Rates.self, Convergence.self])

    struct CheckpointOptions: ParsableArguments {
        @Option(help: "A checkpoint file written by fsnn run.")
        var checkpoint: String
        @Option(help: "Dataset to read (default: the one the checkpoint was trained on).")
        var dataset: String?
        @Option(name: .customLong("data-dir"), help: "Data root (default: $FSNN_DATA, else ./data).")
        var dataDirectory: String?

        func validate() throws {
            if let dataset, DatasetName(rawValue: dataset) == nil { throw ValidationError("unknown dataset '\(dataset)'") }
        }

        var datasetName: DatasetName? { dataset.flatMap(DatasetName.init(rawValue:)) }
        var dataRoot: DataRoot { DataRoot.resolve(dataDirectory: dataDirectory) }
    }

    struct Grads: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One batch forward and backward (no update); writes inputs, masks, rates, logits, loss, solver statistics and every parameter gradient under PyTorch names.")

        @OptionGroup var source: CheckpointOptions
        @Option(help: "train or test.")
        var split = "train"
        @Option(help: "Sample indices: a range 0-31 or a list 0,5,9.")
        var indices: String
        @Option(help: "ide or stbp (default: the checkpoint's).")
        var method: String?
        @Flag(help: "No dropout masks for this batch.")
        var noDropout = false
        @Option(help: "The HDF5 file to write.")
        var out: String

        func validate() throws {
            guard GradientInspection.Split(rawValue: split) != nil else { throw ValidationError("--split must be train or test") }
            if let method, TrainingMethod(rawValue: method) == nil { throw ValidationError("--method must be ide or stbp") }
            _ = try IndexList.parse(indices)
        }

        func run() throws {
            var inspection = GradientInspection(checkpoint: source.checkpoint, dataRoot: source.dataRoot,
                                                indices: try IndexList.parse(indices))
            inspection.dataset = source.datasetName
            inspection.split = GradientInspection.Split(rawValue: split)!
            inspection.method = method.flatMap(TrainingMethod.init(rawValue:))
            inspection.dropout = !noDropout
            let summary = try inspection.write(to: out)
            var lines = [String(format: "%@ batch of %d: loss %.6f, %d correct", summary.method.rawValue.uppercased(),
                                summary.batchSize, summary.loss, summary.correct)]
            if let solver = summary.solver {
                lines.append(String(format: "adjoint solve: %d iterations, relative residual %.3e", solver.iterations,
                                    solver.relativeResidual))
            }
            lines.append("| parameter | shape | ‖∂L/∂θ‖ |\n|---|---|--:|")
            for (name, shape, norm) in summary.gradientNorms {
                lines.append(String(format: "| %@ | %@ | %.6e |", name, shape.map(String.init).joined(separator: "×"), norm))
            }
            lines.append("wrote \(out)")
            print(lines.joined(separator: "\n"))
        }
    }

    struct Rates: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per-layer test firing rates and synaptic operations (Table 5's measurement).")

        @OptionGroup var source: CheckpointOptions
        @Option(help: "Test batches to evaluate (default: the run's).")
        var testBatches: Int?
        @Option(help: "Also write the /rates group to this HDF5 file.")
        var out: String?

        func run() throws {
            var inspection = RateInspection(checkpoint: source.checkpoint, dataRoot: source.dataRoot)
            inspection.dataset = source.datasetName
            inspection.testBatches = testBatches
            let result = try inspection.measure()
            print(result.table, terminator: "")
            if let out {
                try result.write(to: out)
                print("wrote \(out)")
            }
        }
    }

    struct Convergence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Residual ‖f(a[t]) − a[t]‖ / ‖a[t]‖ against t on test batches (the convergence figure's measurement).")

        @OptionGroup var source: CheckpointOptions
        @Option(help: "Simulation steps (default: the run's T).")
        var steps: Int?
        @Option(help: "Test batches to average.")
        var batches = 1
        @Option(help: "Also write the trace to this HDF5 file.")
        var out: String?

        func run() throws {
            var inspection = ConvergenceInspection(checkpoint: source.checkpoint, dataRoot: source.dataRoot)
            inspection.dataset = source.datasetName
            inspection.steps = steps
            inspection.batches = batches
            let result = try inspection.measure()
            print(result.table, terminator: "")
            if let out {
                try result.write(to: out)
                print("wrote \(out)")
            }
        }
    }
}
