import HDF5

/// Everything a result file holds about one run (one row × one seed): what was run, on what,
/// and what it measured. Accuracies are in percent, rates are fractions, bytes are bytes, epochs
/// are numbered from 1. The HDF5 layout is documented in docs/results-layout.md.
public struct RunRecord: Equatable, Sendable {
    public var table: String
    public var row: String
    public var label: String
    public var profile: Profile
    public var seed: Int
    /// The resolved settings (`ExperimentRun.settingAttributes`), stored as `/config` attributes.
    public var settings: [ConfigEntry]
    /// The experiment file's full text.
    public var experimentYAML: String
    public var provenance: Provenance
    /// Names of the hidden spiking layers, in network order (`["hidden"]`, or `L1` … `L5`).
    public var layerNames: [String]
    /// One entry per finished epoch.
    public var epochs: [EpochSummary]
    /// Test-set firing rates of the final model, once measured.
    public var rates: FiringRates?
    /// Peak tensor memory of every training iteration.
    public var memory: MemoryRecord
    /// Residual traces, when the experiment asks for them.
    public var convergence: [ConvergenceTrace]
    /// Every test sample's prediction by the last evaluated model; nil before the first epoch
    /// and in files written before predictions were recorded.
    public var predictions: TestPredictions?
    public var status: RunStatus
    /// The host (and Slurm job) of the process that last wrote the file; nil when not recorded.
    public var placement: RunPlacement?
    /// The code that made the run when it is not fsnn: its name, revision and framework, e.g.
    /// "pkuxmq/IDE-FSNN 7da5907 (released code, CPU PyTorch 2.13.0+cpu)" for a run of the released
    /// reference code (tools/reference/run_table1.py); nil for fsnn's own runs.
    public var implementation: String?

    public init(table: String, row: String, label: String, profile: Profile, seed: Int, settings: [ConfigEntry],
                experimentYAML: String, provenance: Provenance, layerNames: [String]) {
        self.table = table
        self.row = row
        self.label = label
        self.profile = profile
        self.seed = seed
        self.settings = settings
        self.experimentYAML = experimentYAML
        self.provenance = provenance
        self.layerNames = layerNames
        epochs = []
        rates = nil
        memory = MemoryRecord()
        convergence = []
        predictions = nil
        status = .running
        placement = nil
        implementation = nil
    }

    /// A fresh record for `seed` of a resolved row.
    public init(run: ExperimentRun, seed: Int, experimentYAML: String, provenance: Provenance, layerNames: [String]) {
        self.init(table: run.table, row: run.row, label: run.label, profile: run.profile, seed: seed,
                  settings: run.settingAttributes.map { ConfigEntry(name: $0.name, value: $0.value) },
                  experimentYAML: experimentYAML, provenance: provenance, layerNames: layerNames)
    }

    /// The stored value of setting `name` (a YAML key such as `time_steps`).
    public func setting(_ name: String) -> HDF5AttributeValue? {
        settings.first { $0.name == name }?.value
    }

    /// The highest test accuracy of any epoch, and that epoch (1-based).
    public var bestTestAccuracy: (accuracy: Double, epoch: Int)? {
        epochs.enumerated().filter { !$1.testAccuracy.isNaN }.max { $0.element.testAccuracy < $1.element.testAccuracy }
            .map { ($0.element.testAccuracy, $0.offset + 1) }
    }

    /// The test accuracy of the last finished epoch.
    public var lastTestAccuracy: Double? { epochs.last?.testAccuracy }
}

/// One `/config` attribute.
public struct ConfigEntry: Equatable, Sendable {
    public var name: String
    public var value: HDF5AttributeValue

    public init(name: String, value: HDF5AttributeValue) {
        self.name = name
        self.value = value
    }
}

/// The metrics of one finished epoch. Quantities a method does not have (solver statistics of
/// an STBP run) are NaN.
public struct EpochSummary: Equatable, Sendable {
    /// Mean cross-entropy over the epoch's training batches.
    public var trainLoss: Double
    /// Percent of training samples classified correctly (dropout on, as trained).
    public var trainAccuracy: Double
    public var testLoss: Double
    /// Percent, on the test set (or its subset).
    public var testAccuracy: Double
    /// Learning rate of the epoch's last iteration.
    public var learningRate: Double
    /// Wall-clock seconds for training and evaluating the epoch.
    public var seconds: Double
    /// Mean adjoint-solver iterations per training batch (IDE).
    public var solverIterations: Double
    /// Mean and maximum over training batches of the solver's final relative residual
    /// ‖(I − Jᵀ)β − ∂L/∂a‖ / ‖∂L/∂a‖ (IDE).
    public var solverResidualMean: Double
    public var solverResidualMax: Double
    /// Median and largest over the epoch's training iterations of ‖∂L/∂θ‖₂ at the optimiser step
    /// (NaN in files written before it was recorded, and in the reference runner's).
    public var gradientNormMedian: Double
    public var gradientNormMax: Double
    /// Test-set firing rate of all hidden neurons pooled: spikes / (neurons × T × samples).
    public var firingRate: Double
    /// The same per hidden layer, in `RunRecord.layerNames` order.
    public var layerFiringRates: [Double]

    public init(trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double, learningRate: Double,
                seconds: Double, solverIterations: Double = .nan, solverResidualMean: Double = .nan,
                solverResidualMax: Double = .nan, gradientNormMedian: Double = .nan, gradientNormMax: Double = .nan,
                firingRate: Double, layerFiringRates: [Double]) {
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.solverIterations = solverIterations
        self.solverResidualMean = solverResidualMean
        self.solverResidualMax = solverResidualMax
        self.gradientNormMedian = gradientNormMedian
        self.gradientNormMax = gradientNormMax
        self.firingRate = firingRate
        self.layerFiringRates = layerFiringRates
    }

    /// Equal when every field is equal or both are NaN (STBP runs store NaN solver statistics).
    public static func == (a: EpochSummary, b: EpochSummary) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        return same(a.trainLoss, b.trainLoss) && same(a.trainAccuracy, b.trainAccuracy) && same(a.testLoss, b.testLoss)
            && same(a.testAccuracy, b.testAccuracy) && same(a.learningRate, b.learningRate) && same(a.seconds, b.seconds)
            && same(a.solverIterations, b.solverIterations) && same(a.solverResidualMean, b.solverResidualMean)
            && same(a.solverResidualMax, b.solverResidualMax) && same(a.gradientNormMedian, b.gradientNormMedian)
            && same(a.gradientNormMax, b.gradientNormMax) && same(a.firingRate, b.firingRate)
            && a.layerFiringRates.count == b.layerFiringRates.count
            && zip(a.layerFiringRates, b.layerFiringRates).allSatisfy(same)
    }
}

/// Test-set firing statistics of a trained model (spec §9.4), with dropout off.
public struct FiringRates: Equatable, Sendable {
    /// The epoch whose model was measured.
    public var epoch: Int
    public var samples: Int
    public var timeSteps: Int
    /// Spiking neurons per hidden layer, in `RunRecord.layerNames` order.
    public var neurons: [Int]
    /// spikes / (neurons × T × samples) per hidden layer.
    public var rates: [Double]
    /// Synaptic operations per sample per hidden layer: spikes × fan-out, summed over t.
    public var synapticOperations: [Double]

    public init(epoch: Int, samples: Int, timeSteps: Int, neurons: [Int], rates: [Double], synapticOperations: [Double]) {
        self.epoch = epoch
        self.samples = samples
        self.timeSteps = timeSteps
        self.neurons = neurons
        self.rates = rates
        self.synapticOperations = synapticOperations
    }

    /// The rate of all hidden neurons pooled (neuron-weighted mean of the layer rates).
    public var overallRate: Double {
        let total = neurons.reduce(0, +)
        guard total > 0 else { return .nan }
        return zip(neurons, rates).reduce(0) { $0 + Double($1.0) * $1.1 } / Double(total)
    }

    public var totalSynapticOperations: Double { synapticOperations.reduce(0, +) }
}

/// Peak live tensor bytes of every training iteration, in order (`MemoryTracker`).
public struct MemoryRecord: Equatable, Sendable {
    /// The highest live tensor bytes during the iteration (parameters, data and workspaces).
    public var peakBytes: [Int] = []
    /// That peak minus the live bytes when the iteration started: what the iteration itself needs.
    public var transientBytes: [Int] = []

    public init(peakBytes: [Int] = [], transientBytes: [Int] = []) {
        self.peakBytes = peakBytes
        self.transientBytes = transientBytes
    }

    public mutating func append(peakBytes peak: Int, transientBytes transient: Int) {
        peakBytes.append(peak)
        transientBytes.append(transient)
    }
}

/// The predicted class of every test sample, in evaluation order, with its label: what a paired
/// test of two models on the same test samples (McNemar) needs.
public struct TestPredictions: Equatable, Sendable {
    /// The epoch (1-based) whose model predicted.
    public var epoch: Int
    public var labels: [Int]
    public var predicted: [Int]

    public init(epoch: Int, labels: [Int], predicted: [Int]) {
        self.epoch = epoch
        self.labels = labels
        self.predicted = predicted
    }

    /// Per sample, whether the prediction is right.
    public var correct: [Bool] { zip(predicted, labels).map { $0 == $1 } }
}

/// ‖f(a[t]) − a[t]‖ / ‖a[t]‖ for t = 1 … T, averaged over test samples (spec §9.5, §12.3).
public struct ConvergenceTrace: Equatable, Sendable {
    /// "untrained" (before the first epoch) or "trained" (after the last), or another label.
    public var name: String
    /// Epochs trained before the trace (0 = at initialisation).
    public var epoch: Int
    public var samples: Int
    /// Mean and standard deviation over samples, index t − 1.
    public var residualMean: [Double]
    public var residualStd: [Double]

    public init(name: String, epoch: Int, samples: Int, residualMean: [Double], residualStd: [Double]) {
        self.name = name
        self.epoch = epoch
        self.samples = samples
        self.residualMean = residualMean
        self.residualStd = residualStd
    }
}

/// Where a run stands. A file written while training says `running`; a process killed without
/// cleanup leaves it so.
public enum RunStatus: Equatable, Sendable {
    case running
    case complete
    /// Stopped by an error (e.g. a NaN loss) at that epoch and batch.
    case failed(StopPoint)
    /// Stopped on request (signal) at that epoch and batch.
    case interrupted(StopPoint)

    /// "running", "complete", "failed" or "interrupted".
    public var name: String {
        switch self {
        case .running: return "running"
        case .complete: return "complete"
        case .failed: return "failed"
        case .interrupted: return "interrupted"
        }
    }
}

/// The epoch (1-based) and batch (0-based) a run stopped in, and why.
public struct StopPoint: Equatable, Sendable {
    public var epoch: Int
    public var batch: Int
    public var message: String

    public init(epoch: Int, batch: Int, message: String) {
        self.epoch = epoch
        self.batch = batch
        self.message = message
    }
}
