import ArgumentParser
import Harness

/// `fsnn inspect …`: look inside a checkpoint's model.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Gradients, firing rates, convergence and per-step traces of a checkpointed model (runs/…/seed-<k>.checkpoint.h5).",
        subcommands: [Grads.self, Rates.self, Convergence.self, Trace.self])

    struct CheckpointOptions: ParsableArguments {
        @Option(help: "A checkpoint file written by fsnn run.")
        var checkpoint: String
        @Option(help: "Dataset to read (default: the one the checkpoint was trained on).")
        var dataset: DatasetName?
        @Option(name: .customLong("data-dir"), help: "Data root (default: $FSNN_DATA, else ./data).")
        var dataDirectory: String?

        var dataRoot: DataRoot { DataRoot.resolve(dataDirectory: dataDirectory) }
    }

    struct Grads: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One batch forward and backward (no update); writes inputs, masks, rates, logits, loss, solver statistics and every parameter gradient under PyTorch names.")

        @OptionGroup var source: CheckpointOptions
        @Option var split: GradientInspection.Split = .train
        @Option(help: "Sample indices: a range 0-31 or a list 0,5,9.")
        var indices: String
        @Option(help: "Default: the checkpoint's.")
        var method: TrainingMethod?
        @Option(name: .customLong("T"), help: "Time steps of this batch (default: the checkpoint's); the weights do not depend on T.")
        var timeSteps: Int?
        @Flag(help: "No dropout masks for this batch.")
        var noDropout = false
        @Option(name: .customLong("quirk"),
                help: "Run the batch with this reference-code behaviour (repeatable); the list replaces the checkpoint's.")
        var quirks: [Quirk] = []
        @Flag(help: "Run the batch with no reference-code behaviours (the corrected defaults) instead of the checkpoint's.")
        var noQuirks = false
        @Flag(help: "IDE: also write the clamp derivatives of the map at a and of the Jacobian's linearisation.")
        var clampDerivatives = false
        @Option(help: "The HDF5 file to write.")
        var out: String

        func validate() throws {
            if noQuirks && !quirks.isEmpty { throw ValidationError("--no-quirks and --quirk exclude each other") }
            let count: Int
            do { count = try IndexList.parse(indices).count } catch { throw ValidationError("--indices \(error)") }
            do {
                try CommandLineSettings.check(\.batchSize, count, option: "--indices")
                try CommandLineSettings.check(\.timeSteps, timeSteps, option: "--T")
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() throws {
            var inspection = GradientInspection(checkpoint: source.checkpoint, dataRoot: source.dataRoot,
                                                indices: try IndexList.parse(indices))
            inspection.dataset = source.dataset
            inspection.split = split
            inspection.method = method
            inspection.timeSteps = timeSteps
            inspection.dropout = !noDropout
            if noQuirks || !quirks.isEmpty { inspection.quirks = Set(quirks) }
            inspection.clampDerivatives = clampDerivatives
            let summary = try inspection.write(to: out)
            try Console.print(summary.text + "\nwrote \(out)")
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

        func validate() throws {
            do { try CommandLineSettings.check(\.testBatches, testBatches, option: "--test-batches") } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() throws {
            var inspection = RateInspection(checkpoint: source.checkpoint, dataRoot: source.dataRoot)
            inspection.dataset = source.dataset
            inspection.testBatches = testBatches
            let result = try inspection.measure()
            try Console.print(result.table, terminator: "")
            if let out {
                try result.write(to: out)
                try Console.print("wrote \(out)")
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

        func validate() throws {
            do {
                try CommandLineSettings.check(\.convergenceSteps, steps, option: "--steps")
                try CommandLineSettings.check(\.convergenceBatches, batches, option: "--batches")
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() throws {
            var inspection = ConvergenceInspection(checkpoint: source.checkpoint, dataRoot: source.dataRoot)
            inspection.dataset = source.dataset
            inspection.steps = steps
            inspection.batches = batches
            let result = try inspection.measure()
            try Console.print(result.table, terminator: "")
            if let out {
                try result.write(to: out)
                try Console.print("wrote \(out)")
            }
        }
    }

    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One sample's spikes and membrane potentials at every step of every layer, to HDF5, with a spike raster and a membrane plot drawn by gnuplot.")

        @OptionGroup var source: CheckpointOptions
        @Option(help: "Sample index in the split.")
        var sample: Int
        @Option var split: GradientInspection.Split = .test
        @Option(help: "The HDF5 file to write (default: trace-<split>-<sample>.h5); the figures go beside it as <stem>-raster.png and <stem>-membrane.png.")
        var out: String?
        @Flag(help: "Write the HDF5 file only.")
        var noFigures = false

        func run() throws {
            var inspection = TraceInspection(checkpoint: source.checkpoint, dataRoot: source.dataRoot, sample: sample)
            inspection.dataset = source.dataset
            inspection.split = split
            inspection.drawFigures = !noFigures
            let path = out ?? "trace-\(split.rawValue)-\(sample).h5"
            let result = try inspection.write(to: path)
            try Console.print(result.table, terminator: "")
            for problem in result.figureProblems { try Console.print("figure not drawn: \(problem)") }
            try Console.print((["wrote \(path)"] + result.figures).joined(separator: "\nwrote "))
        }
    }
}
