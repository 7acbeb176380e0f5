import Datasets
import FSNN

/// Turns the settings written for one run (all layers merged) into `ResolvedSettings`, or the
/// problems that keep it from running, each under the key of the setting it is reported at (nil:
/// the run as a whole). Experiment files and the command line share it; they differ only in
/// where they say a key was written (`file:line:column: field`, or the option name).
///
/// Order: required settings, the written values, defaults that follow the dataset, settings
/// required where they apply (a LIF leak), residual traces (a `convergence` mapping with either
/// member set records both, steps defaulting to T and batches to 1), then where each setting
/// applies and the rules between settings (`DatasetRules.problems`, the fallback dataset, traces
/// of spike-input models).
enum SettingsResolution {
    struct Problem: Equatable {
        var key: String?
        var message: String
    }

    enum Outcome {
        case resolved(ResolvedSettings)
        case rejected([Problem])
    }

    /// - Parameter isOwn: whether the run itself wrote a key (a row, or the command line) rather
    ///   than inheriting it; a parameter set where it cannot apply is an error only there.
    static func resolve(_ written: SettingsPatch, isOwn: (String) -> Bool) -> Outcome {
        let missing = SettingsSchema.entries.filter {
            if case .always = $0.requirement { return written[$0.key] == nil }
            return false
        }
        guard missing.isEmpty else {
            return .rejected([Problem(key: nil, message: "no \(missing.map { $0.attribute ?? $0.key }.joined(separator: ", ")) set")])
        }

        var settings = ResolvedSettings.defaults
        var problems: [Problem] = []
        for entry in SettingsSchema.entries {
            guard let literal = written[entry.key] else { continue }
            if !entry.assign(literal, to: &settings) {
                problems.append(Problem(key: entry.key, message: "\(literal) is not a value of \(entry.declaration.noun)"))
            }
        }
        for entry in SettingsSchema.entries where written[entry.key] == nil {
            entry.assignDefault(for: settings.run.dataset, to: &settings)
        }
        for entry in SettingsSchema.entries where written[entry.key] == nil && entry.inapplicability(in: settings) == nil {
            if case let .whereApplicable(message) = entry.requirement {
                problems.append(Problem(key: entry.reads ?? entry.key, message: message))
            }
        }
        guard problems.isEmpty else { return .rejected(problems) }

        if settings.run.convergenceSteps != nil || settings.run.convergenceBatches != nil {
            settings.run.convergenceSteps = settings.run.convergenceSteps ?? settings.training.timeSteps
            settings.run.convergenceBatches = settings.run.convergenceBatches ?? 1
        }

        for entry in SettingsSchema.entries {
            guard let message = entry.inapplicability(in: settings) else { continue }
            if entry.isRequest ? written[entry.key] != nil : isOwn(entry.key) {
                problems.append(Problem(key: entry.key, message: message))
            }
        }
        problems += DatasetRules.problems(dataset: settings.run.dataset, training: settings.training)
            .map { Problem(key: $0.key, message: $0.message) }
        problems += runProblems(settings)
        return problems.isEmpty ? .resolved(settings) : .rejected(problems)
    }

    /// The rules between the run settings and the training: a fallback dataset must be able to
    /// stand in, a spike-input model has T frames per sample, so its trace cannot be longer, and a
    /// learning-rate warm-up must end within the run on every dataset the run may read.
    private static func runProblems(_ settings: ResolvedSettings) -> [Problem] {
        var problems: [Problem] = []
        let (run, training) = (settings.run, settings.training)
        if let fallback = run.datasetFallback,
           !DatasetRules.models(for: fallback).contains(training.model)
            || DatasetRules.classCount(fallback) != DatasetRules.classCount(run.dataset) {
            problems.append(Problem(key: "dataset_fallback", message: "\(fallback.rawValue) cannot stand in for "
                + "\(run.dataset.rawValue) with model '\(training.model.rawValue)'"))
        }
        if let steps = run.convergenceSteps, ModelZoo.takesSpikes(training.model), steps != training.timeSteps {
            problems.append(Problem(key: "convergence.steps", message: "\(training.model.rawValue) reads T = "
                + "\(training.timeSteps) spike frames per sample; a residual trace over \(steps) steps needs static input"))
        }
        if let problem = warmupProblem(settings) { problems.append(problem) }
        return problems
    }

    /// A linear warm-up of W iterations (lr·(i+1)/W) longer than the run's training iterations
    /// E × ⌈N / B⌉ (batches capped by `train_batches`, N the training samples, capped by
    /// `train_subset`) never reaches the base rate. Judged on the smallest training set the run
    /// may read: its dataset or the fallback.
    private static func warmupProblem(_ settings: ResolvedSettings) -> Problem? {
        let (run, training) = (settings.run, settings.training)
        guard training.warmupIterations > 0 else { return nil }
        let shortest = ([run.dataset] + (run.datasetFallback.map { [$0] } ?? [])).map { dataset in
            let samples = min(run.trainSubset ?? .max, dataset.trainingSampleCount)
            let batches = min((samples + training.batchSize - 1) / training.batchSize, run.trainBatches ?? .max)
            return (dataset: dataset, samples: samples, batches: batches)
        }.min { $0.batches < $1.batches }!
        let iterations = training.epochs * shortest.batches
        guard training.warmupIterations > iterations else { return nil }
        return Problem(key: "warmup_iterations", message: "a warm-up of \(training.warmupIterations) iterations is longer "
            + "than the run, whose learning rate would never reach \(training.learningRate): \(training.epochs) epoch(s) × "
            + "\(shortest.batches) batch(es) of \(training.batchSize) on \(shortest.samples) training samples of "
            + "\(shortest.dataset.rawValue) = \(iterations) iterations (scale it with the epochs, as the milestones)")
    }
}
