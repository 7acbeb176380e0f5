/// Everything that determines how one network is built and trained, resolved from an experiment
/// row (defaults ⊕ profile ⊕ row) or the command line. Defaults are the paper's hyperparameters
/// (spec §7). Each property is a setting of `TrainingSettings.all`, which gives its file key,
/// bounds and applicability; experiment files and options are validated against that table, a
/// value built by code is not.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var model: ModelName
    /// Classes of the readout (10, or 100 for CIFAR-100).
    public var classCount: Int = 10
    public var neuron: NeuronModel = .integrateAndFire
    /// Simulation steps T, the same for training and evaluation.
    public var timeSteps: Int
    /// Firing threshold V_th (spec §2).
    public var threshold: Float = 2
    public var method: TrainingMethod = .ide
    public var solver: SolverKind = .broyden
    /// Iteration cap of the adjoint solver (spec §4.4: 30).
    public var solverMaxIterations: Int = 30
    /// The stopping rule of spec §4.4 (‖G‖ < 2e-10·√(B·D)); false runs every solve for
    /// `solverMaxIterations` (benchmarks quote both).
    public var solverStopsEarly: Bool = true
    /// Anderson memory (number of stored residuals).
    public var andersonMemory: Int = 5
    public var surrogate: SurrogateKind = .rectangular
    /// Rectangular: window width a; sigmoid/arctan: sharpness k (spec §10).
    public var surrogateParameter: Float = 1
    /// STBP: stop the gradient through the subtractive reset.
    public var detachReset: Bool = false
    /// OTTT: true for an optimiser step after every time step (OTTT_O); false or nil (unset, so that
    /// the runs recorded before OTTT keep their identities) for one per batch (OTTT_A).
    public var onlineUpdate: Bool?
    /// Reference-code behaviours to reproduce (spec §11); all others take the corrected behaviour.
    public var quirks: Set<Quirk> = []
    /// Variational dropout probability (spec §6.3).
    public var dropout: Float = 0.2
    public var optimizer: OptimizerKind = .sgd
    public var learningRate: Float = 0.05
    public var momentum: Float = 0.9
    public var weightDecay: Float = 5e-4
    /// Epochs after which the learning rate is multiplied by `gamma`.
    public var milestones: [Int] = [30, 60, 90]
    public var gamma: Float = 0.1
    /// Linear warm-up iterations: lr·(i+1)/W for i < W (CIFAR: 400).
    public var warmupIterations: Int = 0
    public var epochs: Int = 100
    public var batchSize: Int = 128
    public var testBatchSize: Int = 200
    /// A training loss above this many times ln(classes) for several consecutive batches ends the
    /// run as diverged (`DivergenceWatch`); nil is the default factor, 10.
    public var divergenceFactor: Float?
    /// c: a step whose gradient norm ‖g‖₂ (every trained parameter) exceeds c takes g · c/‖g‖,
    /// before the optimiser adds weight decay (`torch.nn.utils.clip_grad_norm_`); nil: no clipping.
    public var gradientClipNorm: Float?

    public init(model: ModelName, timeSteps: Int) {
        self.model = model
        self.timeSteps = timeSteps
    }

    public func has(_ quirk: Quirk) -> Bool { quirks.contains(quirk) }
}

public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    case sgd
    case adam
}

extension TrainingConfiguration {
    /// The neuron model without its leak, as files name it.
    public var neuronType: NeuronType {
        get { neuron == .integrateAndFire ? .integrateAndFire : .leaky }
        set {
            guard newValue != neuronType else { return }
            neuron = newValue == .integrateAndFire ? .integrateAndFire : .leaky(lambda: 1)
        }
    }

    /// The leak λ: that of a LIF neuron, 1 for IF (setting it on an IF neuron changes nothing).
    public var lambda: Float {
        get { neuron.lambda }
        set { if neuronType == .leaky { neuron = .leaky(lambda: newValue) } }
    }
}
