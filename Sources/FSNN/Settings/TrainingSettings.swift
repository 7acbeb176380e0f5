/// The training hyperparameters, each declared once (spec §7 for the values, §2–§10 for the
/// meanings): file key, `/config` attribute, bounds with their reasons, and where each applies.
/// Defaults are `TrainingConfiguration`'s initial values. Experiment files, the command line,
/// result attributes and resume identities are all derived from this table, in this order.
///
/// Bounds are what Float32 can mean and what a 2-core machine can do: a run is refused before
/// any work rather than allocating, looping or rounding its way into a wrong result.
public enum TrainingSettings {
    public typealias Entry = any SettingDeclaration<TrainingConfiguration>

    /// Time and memory grow linearly in T, epochs and batches; the caps are far above the
    /// paper's values and far below what would take weeks or all of memory.
    static let stepsReason = "a batch simulates T steps of every layer, and STBP keeps all of them in memory: "
        + "beyond 10,000 steps one batch takes hours on a 2-core machine"
    static let batchReason = "workspaces hold a batch's activations for every layer (and, for STBP, every step): "
        + "beyond 4,096 samples they exceed a workstation's memory"

    public static let all: [Entry] = [
        // Network (spec §2, §5)
        Setting(\.model, key: "model", noun: "the model", meaning: "the network of the zoo (spec §5)",
                required: .always),
        Setting(\.classCount, key: "classes", noun: "readout classes",
                meaning: "classes of the readout; follows the dataset (100 for CIFAR-100, else 10)",
                bounds: .integers(1...1000, because: "no dataset here has more than 100 classes"),
                datasetDefault: DatasetRules.classCount),
        Setting(\.neuronType, key: "neuron.type", attribute: "neuron", noun: "the neuron model",
                meaning: "`if` or `lif` (spec §2.1–2.2); `neuron: lif` is short for `neuron: {type: lif}`",
                required: .always),
        Setting(\.lambda, key: "neuron.lambda", attribute: "lambda", noun: "the leak λ",
                meaning: "LIF leak factor λ, applied after the reset (spec §2.2); recorded as 1 for IF",
                bounds: .interval(0, 1, includesLower: false, includesUpper: true,
                                  because: "λ scales the potential each step: 1 is no leak, 0 would erase it"),
                appliesTo: SettingCondition("lif neurons only; IF has no leak", reads: "neuron.type") {
                    $0.neuron != .integrateAndFire
                },
                required: .whereApplicable("lif neurons need a lambda (neuron: {type: lif, lambda: 0.95})")),
        Setting(\.timeSteps, key: "time_steps", noun: "time steps", meaning: "simulation steps T, training and test alike",
                symbol: "T", bounds: .integers(1...10_000, because: stepsReason), required: .always),
        Setting(\.threshold, key: "threshold", noun: "the threshold V_th", meaning: "firing threshold V_th (spec §2)",
                bounds: .reals(from: 0, includingLower: false, to: 1e6,
                               because: "the potential grows by an input current of order 1 per step, so a threshold "
                                   + "above 10⁶ is never reached within 10,000 steps")),
        Setting(\.dropout, key: "dropout", noun: "the dropout probability",
                meaning: "variational dropout probability p (spec §6.3)",
                bounds: .interval(0, 1, includesLower: true, includesUpper: false,
                                  because: "p is a probability; kept units are scaled by 1/(1 − p)")),

        // Gradient (spec §4, §10)
        Setting(\.method, key: "method", noun: "the gradient method",
                meaning: "`ide` (spec §4), `stbp` (spec §10) or `ottt` (spec §13.3)"),
        Setting(\.solver, key: "solver", noun: "the adjoint solver",
                meaning: "IDE adjoint solver: `broyden`, `fixed_point`, `anderson`, `jacobian_free` (spec §4.4–4.8)",
                appliesTo: SettingCondition("IDE runs only", reads: "method") { $0.method == .ide }),
        Setting(\.solverMaxIterations, key: "solver_max_iterations", noun: "the solver's iteration cap",
                meaning: "iteration cap of the adjoint solver (spec §4.4: 30)",
                bounds: .integers(1...10_000, because: "each iteration is one Jᵀv product over the batch; "
                    + "the paper needs 30, and 10,000 per batch would take hours"),
                appliesTo: SettingCondition("IDE runs only", reads: "method") { $0.method == .ide }),
        Setting(\.solverStopsEarly, key: "solver_stops_early", isRecorded: false, noun: "the stopping rule",
                meaning: "stop solves at ‖G‖ < 2e-10·√(B·D) (spec §4.4); benchmarks also time forced caps"),
        Setting(\.andersonMemory, key: "anderson_memory", noun: "the Anderson memory",
                meaning: "residuals the Anderson solver keeps",
                bounds: .integers(1...32, because: "it stores 2m vectors of B × D floats, 1 GB at m = 32 for "
                    + "CIFARNet-F at batch 128, and solves an m × m system per iteration"),
                appliesTo: SettingCondition("IDE runs with the anderson solver only", reads: "solver") {
                    $0.method == .ide && $0.solver == .anderson
                }),
        Setting(\.surrogate, key: "surrogate", noun: "the surrogate",
                meaning: "surrogate spike derivative of STBP and OTTT: `rectangular`, `sigmoid`, `arctan` (spec §10)",
                appliesTo: SettingCondition("STBP and OTTT runs only", reads: "method") { [.stbp, .ottt].contains($0.method) }),
        Setting(\.surrogateParameter, key: "surrogate_parameter", noun: "the surrogate parameter",
                meaning: "rectangular: window width a; sigmoid, arctan: sharpness k (spec §10)",
                bounds: .reals(from: 1e-3, to: 1e3, because: "relative to potentials of order V_th, a width or "
                    + "sharpness outside 10⁻³…10³ makes the surrogate derivative zero almost everywhere or flat"),
                appliesTo: SettingCondition("STBP and OTTT runs only", reads: "method") { [.stbp, .ottt].contains($0.method) }),
        Setting(\.detachReset, key: "detach_reset", noun: "detach-reset",
                meaning: "STBP: no gradient through the subtractive reset (OTTT cuts it always)",
                appliesTo: SettingCondition("STBP runs only", reads: "method") { $0.method == .stbp }),
        Setting(\.onlineUpdate, key: "online_update", noun: "online updates",
                meaning: "true: OTTT_O, an optimiser step after every time step on that step's gradient (the released "
                    + "OTTT code's `-online_update`); unset or false: OTTT_A, one step per batch on the gradients "
                    + "summed over the T steps (spec §13.3)",
                appliesTo: SettingCondition("OTTT runs only", reads: "method") { $0.method == .ottt }),
        Setting(\.quirks, key: "quirks", noun: "quirks",
                meaning: "reference-code behaviours to reproduce (spec §11); each must be able to take effect",
                list: ListRule(element: "quirk", distinct: true)),

        // Optimisation (spec §7)
        Setting(\.optimizer, key: "optimizer", noun: "the optimiser", meaning: "`sgd` or `adam`"),
        Setting(\.learningRate, key: "learning_rate", noun: "the learning rate", meaning: "base learning rate",
                bounds: .reals(from: 1e-12, to: 1e38,
                               because: "a smaller rate changes no Float32 weight (its relative spacing is 6e-8) for "
                                   + "any gradient below 10⁴; a larger one is near Float32's largest number, 3.4e38")),
        Setting(\.momentum, key: "momentum", noun: "the momentum", meaning: "SGD momentum",
                bounds: .interval(0, 1, includesLower: true, includesUpper: false,
                                  because: "momentum 1 or more never forgets a step and diverges"),
                appliesTo: SettingCondition("the sgd optimizer only", reads: "optimizer") { $0.optimizer == .sgd }),
        Setting(\.weightDecay, key: "weight_decay", noun: "the weight decay",
                meaning: "L2 coefficient on every parameter, BN and g included (spec §7)",
                bounds: .reals(from: 0, to: 1, because: "a coefficient above 1 overwhelms any loss gradient "
                    + "(the paper uses 5e-4)")),
        Setting(\.milestones, key: "milestones", noun: "milestones",
                meaning: "epochs after which the learning rate is multiplied by gamma",
                bounds: .integers(1...10_000, because: "a milestone is an epoch, and runs have at most 10,000"),
                list: ListRule(element: "epoch", increasing: true,
                               maximumCount: (100, "a schedule with more steps than that is not a schedule"))),
        Setting(\.gamma, key: "gamma", noun: "gamma", meaning: "learning-rate factor at each milestone",
                bounds: .interval(0, 1, includesLower: false, includesUpper: true,
                                  because: "a factor outside it makes the rate vanish at once or grow")),
        Setting(\.warmupIterations, key: "warmup_iterations", noun: "warm-up iterations",
                meaning: "linear warm-up lr·(i+1)/W for the first W iterations (CIFAR: 400)",
                bounds: .integers(0...10_000_000, because: "beyond 10⁷ iterations (100 epochs of 60,000 samples "
                    + "at batch 1) the rate never reaches lr")),
        Setting(\.epochs, key: "epochs", noun: "epochs", meaning: "training epochs",
                bounds: .integers(1...10_000, because: "the paper trains 100; 10,000 epochs of even the smallest "
                    + "network take weeks on a 2-core machine")),
        Setting(\.batchSize, key: "batch_size", noun: "the batch size", meaning: "training batch size",
                bounds: .integers(1...4096, because: batchReason)),
        Setting(\.testBatchSize, key: "test_batch_size", noun: "the test batch size", meaning: "evaluation batch size",
                bounds: .integers(1...4096, because: batchReason)),
        Setting(\.divergenceFactor, key: "divergence_factor", noun: "the divergence factor",
                meaning: "a training loss above this many times ln(classes), the loss of guessing, for "
                    + "\(DivergenceWatch.patience) consecutive batches of an epoch (or all of a shorter one) fails the run "
                    + "as diverged; unset: \(Int(DivergenceWatch.defaultFactor)). Non-finite values always fail it",
                bounds: .reals(from: 2, to: 1e30,
                               because: "a healthy run stays below its untrained loss ln C, so a factor below 2 stops "
                                   + "runs on a few noisy batches; 1e30 turns the rule off")),
        Setting(\.gradientClipNorm, key: "gradient_clip_norm", noun: "the gradient clipping norm",
                meaning: "c: a step whose gradient norm ‖∂L/∂θ‖₂ over all trained parameters exceeds c is scaled to "
                    + "norm c before weight decay (as torch.nn.utils.clip_grad_norm_); unset: no clipping",
                bounds: .reals(from: 1e-6, to: 1e30,
                               because: "below 1e-6 a step at the paper's learning rates moves no Float32 weight near 1; "
                                   + "1e30 never clips")),
    ]
}
