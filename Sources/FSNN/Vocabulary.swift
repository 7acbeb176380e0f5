/// The names a run is configured with. Experiment files, the command line and checkpoints use
/// the raw values; spec section numbers refer to ../shared/spec/IDE-FSNN.md.

/// Switches that reproduce behaviours of the released reference code (spec §11). A run lists the
/// quirks it wants ("faithful"); every quirk not listed takes the corrected behaviour (the default).
public enum Quirk: String, CaseIterable, Codable, Sendable {
    /// B1: the input-branch BN running statistics are updated twice per batch with static input.
    case inputBNDoubleUpdate = "input_bn_double_update"
    /// B2: LIF + spike input: the λ-weighted input average is computed in place on an alias (≈1.27× x̄).
    case lifInputAverageAlias = "lif_input_average_alias"
    /// B3: the N-MNIST "iter" solver β ← (β + G(β))/2, which solves (2I − Jᵀ)β = ∂L/∂a (§4.5).
    case nmnistIterSolver2I = "nmnist_iter_solver_2I"
    /// B4: the firing-rate script divides by 5× the sample count.
    case rateStatsDiv5 = "rate_stats_div5"
    /// B5: the single-layer LIF all-layer rate output is broken (no numeric effect).
    case singleLIFAllRateMissingAttr = "single_lif_all_rate_missing_attr"
    /// B6: N-MNIST first conv with padding 1 (16×16 map) instead of 2 (17×17).
    case nmnistInputConvPad1 = "nmnist_input_conv_pad1"
    /// B7: Broyden's first step is −G(0) instead of +G(0).
    case broydenNegFirstStep = "broyden_neg_first_step"
    /// B8: resume does not restore the learning-rate schedule or warm-up state.
    case resumeResetsLRSchedule = "resume_resets_lr_schedule"
    /// B9: spectral norm of the reshaped kernel matrix instead of the operator norm.
    case spectralReshapedKernelNorm = "spectral_reshaped_kernel_norm"
    /// B10: the power iteration keeps updating u, v in evaluation.
    case evalPowerIterationUpdate = "eval_power_iteration_update"
    /// B11: the adjoint's Jacobian sees the loop BNs (multi-layer L2…L5) in training mode: the
    /// batch statistics of the point where J is linearised and their derivative (spec §4.3 (i)).
    case adjointLoopBNTrainMode = "adjoint_loop_bn_train_mode"
    /// B12: the reference allocates Broyden's whole low-rank memory (2 × B × 27 × D floats) at the
    /// start of every solve; fsnn allocates the pairs a solve stores. Memory only (Table 4).
    case broydenFullAllocation = "broyden_full_allocation"
    /// B13: multi-layer only: the adjoint's Jacobian is linearised at z̃ = f_train(a), the output of
    /// the training-mode map application, instead of at the simulated rate a (spec §4.2 step 6,
    /// §4.3); ∂f/∂θ stays at a.
    case adjointLinearizedAtMapOutput = "adjoint_linearised_at_map_output"
}

/// The paper's networks by name (spec §5, counts in §12.1).
public enum ModelName: String, CaseIterable, Codable, Sendable {
    case fmnistF400 = "fmnist_f400"
    case mnist64C5sF64C5 = "mnist_64c5s_f64c5"
    case nmnist64C5sF64C5P1 = "nmnist_64c5s_f64c5_p1"
    case nmnist64C5sF64C5P2 = "nmnist_64c5s_f64c5_p2"
    case alexnetF = "alexnet_f"
    case cifarnetF = "cifarnet_f"
}

/// How the training gradient is computed.
public enum TrainingMethod: String, CaseIterable, Codable, Sendable {
    /// Implicit differentiation on the equilibrium state (spec §4).
    case ide
    /// Back-propagation through time with a surrogate spike derivative (spec §10).
    case stbp
    /// Online training through time: per-step losses, the error propagated within each step
    /// only, presynaptic traces (spec §13.2–§13.3).
    case ottt
}

/// Solver for the IDE adjoint system (I − Jᵀ)β = ∂L/∂a (spec §4.4, §4.5, §4.8).
public enum SolverKind: String, CaseIterable, Codable, Sendable {
    case broyden
    /// β ← Jᵀβ + ∂L/∂a.
    case fixedPoint = "fixed_point"
    /// Anderson acceleration of the fixed-point iteration.
    case anderson
    /// Jacobian-free: β = ∂L/∂a (J ≈ 0, spec §4.8).
    case jacobianFree = "jacobian_free"
}

/// The surrogate derivative ∂s/∂m of the spike for STBP (spec §10).
public enum SurrogateKind: String, CaseIterable, Codable, Sendable {
    /// 1[|m − V_th| < a/2] / a with width a (default 1).
    case rectangular
    /// Derivative of the logistic σ(k(m − V_th)) with sharpness k.
    case sigmoid
    /// Derivative of (1/π) arctan(π k (m − V_th)/2) + 1/2 with sharpness k.
    case arctan
}

/// Neuron model (spec §2.1–2.2).
public enum NeuronModel: Equatable, Hashable, Codable, Sendable {
    /// Integrate-and-fire (λ = 1).
    case integrateAndFire
    /// Leaky integrate-and-fire with leak factor λ in (0, 1), applied after the reset.
    case leaky(lambda: Float)

    /// The leak factor; 1 for IF.
    public var lambda: Float {
        switch self {
        case .integrateAndFire: return 1
        case let .leaky(lambda): return lambda
        }
    }
}
