import FSNN

/// The sentence under each report table that says which reference-code behaviours (spec §11) its
/// rows reproduce, generated from the rows' `quirks`, so that a row that adds a quirk is
/// described without editing any note.
enum QuirkNote {
    /// Spec §11 item and what the faithful behaviour is, by switch name. Keyed by name so that
    /// a switch added to the vocabulary shows under its name until it is described here.
    static let descriptions: [String: (item: String, behaviour: String)] = [
        "input_bn_double_update": ("B1", "input-branch BN running statistics updated twice per batch"),
        "lif_input_average_alias": ("B2", "the LIF input average computed on an alias (≈ 1.27 x̄)"),
        "nmnist_iter_solver_2I": ("B3", "the \"iter\" adjoint solver, which solves (2I − Jᵀ)β = ∂L/∂a"),
        "rate_stats_div5": ("B4", "firing rates divided by 5 as the reference script prints them"),
        "single_lif_all_rate_missing_attr": ("B5", "the broken single-layer LIF all-layer rate output"),
        "nmnist_input_conv_pad1": ("B6", "N-MNIST's first convolution with padding 1"),
        "broyden_neg_first_step": ("B7", "Broyden's first step −G(0)"),
        "resume_resets_lr_schedule": ("B8", "a resume restarts the learning-rate schedule"),
        "spectral_reshaped_kernel_norm": ("B9", "the spectral norm of the reshaped kernel matrix, not of the convolution operator"),
        "eval_power_iteration_update": ("B10", "the power iteration updates u, v in evaluation"),
        "adjoint_loop_bn_train_mode": ("B11", "the adjoint's Jacobian with the loop BNs in training mode (batch statistics of the equilibrium point)"),
        "broyden_full_allocation": ("B12", "Broyden's whole low-rank memory allocated at the start of every solve (memory only)"),
        "adjoint_linearised_at_map_output": ("B13", "the adjoint's Jacobian linearised at z̃ = f_train(a), the output of the training-mode map application, not at the simulated rate a"),
    ]

    /// The spec §11 item and the faithful behaviour of `quirk` ("B9", "the spectral norm of …").
    static func description(_ quirk: Quirk) -> (item: String, behaviour: String) {
        descriptions[quirk.rawValue] ?? ("spec §11", "see the spec")
    }

    /// "Reference behaviours these rows reproduce (spec §11): …", one item per quirk with the
    /// rows that list it; nil when no row lists one.
    static func text(_ experiment: Experiment) -> String? {
        let runs = experiment.runs(.paper)
        var quirks: [String] = []
        for run in runs {
            for quirk in run.training.quirks.map(\.rawValue).sorted() where !quirks.contains(quirk) { quirks.append(quirk) }
        }
        guard !quirks.isEmpty else { return nil }
        let items = quirks.map { name -> String in
            let rows = runs.filter { $0.training.quirks.contains { $0.rawValue == name } }.map { "`\($0.row)`" }
            let all = rows.count == runs.count ? "every row" : rows.joined(separator: ", ")
            guard let (item, behaviour) = descriptions[name] else { return "- `\(name)`: \(all)\n" }
            return "- \(item) `\(name)` — \(behaviour): \(all)\n"
        }
        return "Reference-code behaviours the rows reproduce (spec §11; every other behaviour is the corrected "
            + "default):\n\n" + items.joined()
    }
}
