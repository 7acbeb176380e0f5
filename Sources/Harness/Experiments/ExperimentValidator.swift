import Datasets
import FSNN
import HDF5

/// Checks a decoded experiment file and resolves its rows for every profile, collecting every
/// problem with its location. Rules beyond the schema:
///
/// * values: T, epochs, batch sizes, lr, threshold, solver caps, subsets > 0; λ ∈ (0, 1];
///   dropout ∈ [0, 1); momentum ∈ [0, 1); weight decay ≥ 0; γ ∈ (0, 1]; milestones positive and
///   increasing; seeds non-empty, distinct, ≥ 0; paper numbers in [0, 100] with best ≥ mean;
/// * rows: ids unique, lower-case `[a-z0-9._-]`; every profile present;
/// * after resolution: dataset, model, T, neuron and seeds set; model fits the dataset; classes
///   match it (100 for CIFAR-100); LIF has a λ; augmentation only on CIFAR; listed quirks can take
///   effect (`DatasetRules.inapplicability`); an STBP twin resolves to its IDE row's settings
///   except for the gradient method and its options.
struct ExperimentValidator {
    let file: ExperimentFile
    let locations: YAMLLocations
    private var issues: [ExperimentIssue] = []

    init(file: ExperimentFile, locations: YAMLLocations) {
        self.file = file
        self.locations = locations
    }

    /// The runs of every profile, or every problem found.
    mutating func validate() -> Result<[Profile: [ExperimentRun]], ExperimentError> {
        checkFile()
        checkPatch(file.defaults, at: "defaults")
        for profile in Profile.allCases {
            checkPatch(file.profiles[profile], at: "profiles.\(profile.rawValue)")
        }
        checkRows()

        var runs: [Profile: [ExperimentRun]] = [:]
        var seen = Set(issues.map(\.description))
        for profile in Profile.allCases {
            let before = issues.count
            runs[profile] = resolveRows(profile)
            var fresh: [ExperimentIssue] = []
            for var issue in issues[before...] where !seen.contains(issue.description) {
                seen.insert(issue.description)
                if profile != .paper { issue.message += " (profile \(profile.rawValue))" }
                fresh.append(issue)
            }
            issues.replaceSubrange(before..., with: fresh)
        }
        guard issues.isEmpty else {
            return .failure(.invalid(issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) }))
        }
        return .success(runs)
    }

    private mutating func report(_ field: String, _ message: String) {
        issues.append(locations.issue(field, message))
    }

    /// Reports `message(value)` at `field` when a present value fails `isValid`.
    private mutating func check<Value>(_ value: Value?, _ field: String, _ isValid: (Value) -> Bool,
                                       _ message: (Value) -> String) {
        if let value, !isValid(value) { report(field, message(value)) }
    }

    // MARK: File and rows

    private static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { "abcdefghijklmnopqrstuvwxyz0123456789._-".unicodeScalars.contains($0) }
            && !text.hasPrefix(".")
    }

    private mutating func checkFile() {
        check(file.table, "table", Self.isName) { "'\($0)' must be a lower-case name of a-z, 0-9, '.', '_', '-'" }
        if file.rows.isEmpty { report("rows", "a file needs at least one row") }
        for profile in Profile.allCases where file.profiles[profile] == nil {
            report("profiles", "profile '\(profile.rawValue)' is missing (write `\(profile.rawValue): {}` if it changes nothing)")
        }
    }

    private mutating func checkRows() {
        var firstIndex: [String: Int] = [:]
        for (index, row) in file.rows.enumerated() {
            let at = "rows[\(index)]"
            check(row.id, "\(at).id", Self.isName) { "'\($0)' must be a lower-case name of a-z, 0-9, '.', '_', '-'" }
            if let first = firstIndex[row.id] {
                report("\(at).id", "duplicate row id '\(row.id)' (also rows[\(first)])")
            } else {
                firstIndex[row.id] = index
            }
            checkPatch(row.settings, at: at)
            for profile in Profile.allCases {
                checkPatch(row.profiles?[profile], at: "\(at).profiles.\(profile.rawValue)")
            }
            if let paper = row.paper {
                let percent: (Double) -> Bool = { $0 >= 0 && $0 <= 100 }
                check(paper.mean, "\(at).paper.mean", percent) { "\($0) is outside [0, 100] (percent)" }
                check(paper.std, "\(at).paper.std", { $0 >= 0 }) { "\($0) must not be negative" }
                check(paper.best, "\(at).paper.best", { percent($0) && $0 >= paper.mean }) {
                    "\($0) must lie in [mean, 100] = [\(paper.mean), 100]"
                }
            }
        }
    }

    // MARK: Values of one settings layer

    private mutating func checkPatch(_ patch: SettingsPatch?, at prefix: String) {
        guard let patch else { return }
        func field(_ key: String) -> String { YAMLPath.child(prefix, key) }
        let positiveInt: (Int) -> Bool = { $0 > 0 }
        let positive: (Double) -> Bool = { $0 > 0 }
        let mustBePositive: (Int) -> String = { "\($0) must be positive" }
        let mustBePositiveNumber: (Double) -> String = { "\($0) must be positive" }

        check(patch.classes, field("classes"), positiveInt, mustBePositive)
        check(patch.timeSteps, field("time_steps"), positiveInt) { "T = \($0) must be positive" }
        check(patch.neuron?.lambda, field("neuron.lambda"), { $0 > 0 && $0 <= 1 }) { "\($0) is outside (0, 1]" }
        if patch.neuron?.type == .integrateAndFire, patch.neuron?.lambda != nil {
            report(field("neuron.lambda"), "lambda applies to lif neurons only; IF has no leak")
        }
        check(patch.threshold, field("threshold"), positive, mustBePositiveNumber)
        check(patch.dropout, field("dropout"), { $0 >= 0 && $0 < 1 }) { "\($0) is outside [0, 1)" }
        check(patch.solverMaxIterations, field("solver_max_iterations"), positiveInt, mustBePositive)
        check(patch.andersonMemory, field("anderson_memory"), positiveInt, mustBePositive)
        check(patch.surrogateParameter, field("surrogate_parameter"), positive, mustBePositiveNumber)
        if let quirks = patch.quirks {
            for (index, quirk) in quirks.enumerated() where quirks[..<index].contains(quirk) {
                report(field("quirks[\(index)]"), "quirk '\(quirk.rawValue)' is listed twice")
            }
        }
        check(patch.learningRate, field("learning_rate"), positive, mustBePositiveNumber)
        check(patch.momentum, field("momentum"), { $0 >= 0 && $0 < 1 }) { "\($0) is outside [0, 1)" }
        check(patch.weightDecay, field("weight_decay"), { $0 >= 0 }) { "\($0) must not be negative" }
        check(patch.gamma, field("gamma"), { $0 > 0 && $0 <= 1 }) { "\($0) is outside (0, 1]" }
        check(patch.warmupIterations, field("warmup_iterations"), { $0 >= 0 }) { "\($0) must not be negative" }
        if let milestones = patch.milestones {
            for (index, milestone) in milestones.enumerated() {
                if milestone <= 0 {
                    report(field("milestones[\(index)]"), "epoch \(milestone) must be positive")
                } else if index > 0, milestone <= milestones[index - 1] {
                    report(field("milestones[\(index)]"),
                           "milestones must increase: \(milestone) follows \(milestones[index - 1])")
                }
            }
        }
        check(patch.epochs, field("epochs"), positiveInt, mustBePositive)
        check(patch.batchSize, field("batch_size"), positiveInt, mustBePositive)
        check(patch.testBatchSize, field("test_batch_size"), positiveInt, mustBePositive)
        check(patch.trainSubset, field("train_subset"), positiveInt, mustBePositive)
        check(patch.testSubset, field("test_subset"), positiveInt, mustBePositive)
        check(patch.trainBatches, field("train_batches"), positiveInt, mustBePositive)
        check(patch.testBatches, field("test_batches"), positiveInt, mustBePositive)
        check(patch.convergence?.steps, field("convergence.steps"), positiveInt, mustBePositive)
        check(patch.convergence?.batches, field("convergence.batches"), positiveInt, mustBePositive)
        if let seeds = patch.seeds {
            if seeds.isEmpty { report(field("seeds"), "at least one seed is needed") }
            for (index, seed) in seeds.enumerated() {
                if seed < 0 {
                    report(field("seeds[\(index)]"), "seed \(seed) must not be negative")
                } else if seeds[..<index].contains(seed) {
                    report(field("seeds[\(index)]"), "seed \(seed) is listed twice")
                }
            }
        }
    }

    // MARK: Resolution

    private func merged(_ row: ExperimentRow, _ profile: Profile) -> SettingsPatch {
        file.defaults.overlaid(by: file.profiles[profile]).overlaid(by: row.settings).overlaid(by: row.profiles?[profile])
    }

    /// The path of the layer that set `key` for this row and profile (the most specific one), or
    /// the row itself when no layer did.
    private static func origin(of key: String, row index: Int, _ profile: Profile, in locations: YAMLLocations) -> String {
        let candidates = [
            "rows[\(index)].profiles.\(profile.rawValue).\(key)", "rows[\(index)].\(key)",
            "profiles.\(profile.rawValue).\(key)", "defaults.\(key)",
        ]
        return candidates.first(where: locations.contains) ?? "rows[\(index)]"
    }

    private mutating func resolveRows(_ profile: Profile) -> [ExperimentRun] {
        var runs: [ExperimentRun] = []
        for (index, row) in file.rows.enumerated() {
            if let run = resolve(row, index: index, profile) { runs.append(run) }
        }
        let byID = Dictionary(runs.map { ($0.row, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, row) in file.rows.enumerated() {
            guard let twinID = row.twin, let run = byID[row.id] else { continue }
            checkTwin(run, twinID: twinID, index: index, byID: byID, profile)
        }
        return runs
    }

    private mutating func resolve(_ row: ExperimentRow, index: Int, _ profile: Profile) -> ExperimentRun? {
        let settings = merged(row, profile)
        let at = "rows[\(index)]"
        let locations = self.locations
        let origin = { (key: String) in Self.origin(of: key, row: index, profile, in: locations) }

        var missing: [String] = []
        if settings.dataset == nil { missing.append("dataset") }
        if settings.model == nil { missing.append("model") }
        if settings.timeSteps == nil { missing.append("time_steps") }
        if settings.neuron?.type == nil { missing.append("neuron") }
        if settings.seeds == nil { missing.append("seeds") }
        guard missing.isEmpty, let dataset = settings.dataset, let model = settings.model,
              let timeSteps = settings.timeSteps, let neuronType = settings.neuron?.type, let seeds = settings.seeds
        else {
            report(at, "no \(missing.joined(separator: ", ")) set for row '\(row.id)' (in the row, the profiles or defaults)")
            return nil
        }

        var training = TrainingConfiguration(model: model, timeSteps: timeSteps)
        training.classCount = settings.classes ?? DatasetRules.classCount(dataset)
        switch neuronType {
        case .integrateAndFire:
            training.neuron = .integrateAndFire
        case .leaky:
            guard let lambda = settings.neuron?.lambda else {
                report(origin("neuron"), "lif neurons need a lambda (neuron: {type: lif, lambda: 0.95})")
                return nil
            }
            training.neuron = .leaky(lambda: Float(lambda))
        }
        func assign<Value>(_ value: Value?, _ field: WritableKeyPath<TrainingConfiguration, Value>) {
            if let value { training[keyPath: field] = value }
        }
        assign(settings.threshold.map(Float.init), \.threshold)
        assign(settings.method, \.method)
        assign(settings.solver, \.solver)
        assign(settings.solverMaxIterations, \.solverMaxIterations)
        assign(settings.andersonMemory, \.andersonMemory)
        assign(settings.surrogate, \.surrogate)
        assign(settings.surrogateParameter.map(Float.init), \.surrogateParameter)
        assign(settings.detachReset, \.detachReset)
        assign(settings.quirks.map(Set.init), \.quirks)
        assign(settings.dropout.map(Float.init), \.dropout)
        assign(settings.optimizer, \.optimizer)
        assign(settings.learningRate.map(Float.init), \.learningRate)
        assign(settings.momentum.map(Float.init), \.momentum)
        assign(settings.weightDecay.map(Float.init), \.weightDecay)
        assign(settings.milestones, \.milestones)
        assign(settings.gamma.map(Float.init), \.gamma)
        assign(settings.warmupIterations, \.warmupIterations)
        assign(settings.epochs, \.epochs)
        assign(settings.batchSize, \.batchSize)
        assign(settings.testBatchSize, \.testBatchSize)

        let issuesBefore = issues.count
        checkCompatibility(dataset: dataset, settings: settings, training: training, origin: origin)

        let run = ExperimentRun(
            table: file.table, row: row.id,
            label: row.label ?? Self.defaultLabel(dataset: dataset, training: training),
            profile: profile, kind: file.kind,
            dataset: dataset, datasetFallback: settings.datasetFallback, dataNote: settings.dataNote,
            augmentation: settings.augmentation ?? false,
            trainSubset: settings.trainSubset, testSubset: settings.testSubset,
            trainBatches: settings.trainBatches, testBatches: settings.testBatches,
            training: training, seeds: seeds,
            convergence: settings.convergence.map { ConvergenceRecording(steps: $0.steps ?? training.timeSteps, batches: $0.batches ?? 1) },
            paper: row.paper, twin: row.twin)
        return issues.count == issuesBefore ? run : nil
    }

    private mutating func checkCompatibility(
        dataset: DatasetName, settings: SettingsPatch, training: TrainingConfiguration, origin: (String) -> String
    ) {
        let model = training.model
        if !DatasetRules.models(for: dataset).contains(model) {
            report(origin("model"), "model '\(model.rawValue)' does not read \(dataset.rawValue); use one of "
                + DatasetRules.models(for: dataset).map(\.rawValue).joined(separator: ", "))
        }
        let classes = DatasetRules.classCount(dataset)
        if training.classCount != classes {
            report(origin("classes"), "\(dataset.rawValue) has \(classes) classes, not \(training.classCount)")
        }
        if let fallback = settings.datasetFallback {
            if !DatasetRules.models(for: fallback).contains(model) || DatasetRules.classCount(fallback) != classes {
                report(origin("dataset_fallback"),
                       "\(fallback.rawValue) cannot stand in for \(dataset.rawValue) with model '\(model.rawValue)'")
            }
        }
        if settings.augmentation == true, !DatasetRules.isCIFAR(dataset) {
            report(origin("augmentation"), "augmentation (random crop + flip) is defined for CIFAR only")
        }
        for quirk in Quirk.allCases where training.has(quirk) {
            if let reason = DatasetRules.inapplicability(of: quirk, dataset: dataset, training: training) {
                report(origin("quirks"), "quirk '\(quirk.rawValue)' \(reason)")
            }
        }
        if model == .nmnist64C5sF64C5P1, !training.has(.nmnistInputConvPad1) {
            report(origin("model"), "'\(model.rawValue)' is the reference code's padding-1 layout (B6): list quirk "
                + "'\(Quirk.nmnistInputConvPad1.rawValue)' to say so, or use '\(ModelName.nmnist64C5sF64C5P2.rawValue)'")
        }
    }

    /// Settings that may differ between an IDE row and its STBP twin.
    private static let methodSettings: Set<String> = [
        "method", "solver", "solver_max_iterations", "anderson_memory", "surrogate", "surrogate_parameter", "detach_reset",
    ]

    private mutating func checkTwin(
        _ run: ExperimentRun, twinID: String, index: Int, byID: [String: ExperimentRun], _ profile: Profile
    ) {
        let at = "rows[\(index)].twin"
        guard let twin = byID[twinID] else {
            if !file.rows.contains(where: { $0.id == twinID }) { report(at, "no row '\(twinID)' in this file") }
            return
        }
        guard run.training.method == .stbp, twin.training.method == .ide, twin.twin == nil else {
            report(at, "a twin is an stbp row naming an ide row; '\(run.row)' is \(run.training.method.rawValue), "
                + "'\(twinID)' is \(twin.training.method.rawValue)")
            return
        }
        func comparable(_ run: ExperimentRun) -> [(name: String, value: HDF5AttributeValue)] {
            var copy = run
            copy.training.quirks.subtract(DatasetRules.ideOnlyQuirks)
            return copy.settingAttributes.filter { !Self.methodSettings.contains($0.name) }
        }
        let mine = comparable(run), theirs = comparable(twin)
        var names = mine.map(\.name)
        names += theirs.map(\.name).filter { !names.contains($0) }
        for name in names {
            let a = mine.first { $0.name == name }?.value, b = theirs.first { $0.name == name }?.value
            if a != b {
                report(at, "row '\(run.row)' differs from its twin '\(twinID)' in \(name): "
                    + "\(Self.show(a)) vs \(Self.show(b)); twins must share every setting but the method's own")
                return
            }
        }
    }

    private static func show(_ value: HDF5AttributeValue?) -> String {
        switch value {
        case nil: return "unset"
        case let .string(text)?: return text
        case let .strings(list)?: return "[" + list.joined(separator: ", ") + "]"
        case let .double(number)?: return "\(number)"
        case let .doubles(list)?: return "\(list)"
        case let .integer(number)?: return "\(number)"
        case let .integers(list)?: return "\(list)"
        }
    }

    /// "mnist · mnist_64c5s_f64c5 · LIF λ=0.95 · T=30 · ide"
    static func defaultLabel(dataset: DatasetName, training t: TrainingConfiguration) -> String {
        let neuron = t.neuron == .integrateAndFire ? "IF" : "LIF λ=\(decimal(t.neuron.lambda))"
        return "\(dataset.rawValue) · \(t.model.rawValue) · \(neuron) · T=\(t.timeSteps) · \(t.method.rawValue)"
    }
}
