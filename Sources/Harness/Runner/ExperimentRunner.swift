import Datasets
import FSNN
import Foundation

/// How `fsnn run` goes through an experiment file.
public struct RunnerOptions: Sendable {
    public var profile: Profile
    /// Row ids to run (default: all rows, in file order).
    public var rows: [String]?
    /// Seeds to run for every selected row instead of the rows' own.
    public var seeds: [Int]?
    /// Runs at a time; above 1 each run is a child process of `executable`.
    public var jobs = 1
    /// Continue incomplete runs from their checkpoints.
    public var resume = false
    /// Run every selected run from scratch, replacing existing result files of any profile.
    public var overwrite = false
    public var resultsRoot = "results"
    /// Where checkpoints go (`runs/`, git-ignored).
    public var checkpointsRoot = "runs"
    public var dataRoot: DataRoot
    /// `git describe` of the source tree, recorded in every result.
    public var gitRevision = "unknown"
    /// The fsnn executable, for child processes.
    public var executable: String?
    /// This process runs one run for a parent `fsnn run --jobs N`: its progress lines carry no
    /// run name (the parent prefixes them).
    public var isChild = false

    public init(profile: Profile, dataRoot: DataRoot) {
        self.profile = profile
        self.dataRoot = dataRoot
    }
}

/// One row × seed of a request and what the runner will do with it.
public struct PlannedRun: Sendable {
    public enum Action: Equatable, Sendable {
        /// The result file already holds this run, complete.
        case skip
        /// Train from the first epoch (`note` says what is replaced, if anything).
        case start(dataset: DatasetName, note: String?)
        /// Continue from the checkpoint, which holds `afterEpoch` epochs.
        case resume(dataset: DatasetName, afterEpoch: Int)
        /// The row's data is not under the data root: a summary, and where it looked.
        case missingData(summary: String, details: String)
        /// The row's runs at this profile are another file's row's (`same_run_as`): nothing to train here.
        case sameRun(SameRun)
    }

    public var run: ExperimentRun
    public var seed: Int
    public var action: Action
}

/// What became of one planned run.
public struct RunReport: Sendable {
    public enum Outcome: Equatable, Sendable {
        case alreadyComplete
        /// Trained in this invocation, ending complete, failed or interrupted.
        case finished(RunStatus)
        case missingData(String)
        /// Another file's row trains it (`same_run_as`): its result file, and what that holds
        /// ("complete", "not run yet").
        case sameRun(SameRun, resultFile: String, status: String)
        /// Not started because the runner was interrupted first.
        case notStarted
    }

    public var run: ExperimentRun
    public var seed: Int
    public var outcome: Outcome
    /// Best test accuracy (percent) and its epoch, when the result has any epoch.
    public var best: (accuracy: Double, epoch: Int)?
}

/// `fsnn run`: every selected row × seed of an experiment file, one result file each
/// (`<results>/<table>/<row>/seed-<k>.h5`) and one checkpoint each (`<runs>/…/seed-<k>.checkpoint.h5`).
///
/// Planning comes first and trains nothing: for each run it looks at the result file at its path.
/// A complete result of the same profile and settings is skipped. A complete result of another
/// profile or other settings is a conflict: the runner refuses (naming both) unless `overwrite`.
/// An incomplete result is continued from its checkpoint with `resume` (the checkpoint must
/// belong to the same run) and otherwise started over. Rows whose data is missing are reported
/// and left out; so are rows whose runs at the profile are another file's row's (`same_run_as`),
/// which that file's runs train; the others run. A failed run (NaN, error) does not stop the table; an interrupt
/// stops it after the run in progress has recorded itself.
public final class ExperimentRunner {
    public let experiment: Experiment
    public let options: RunnerOptions
    public let interrupt: InterruptFlag
    /// Called after each epoch's result and checkpoint are written, with the record so far.
    public var onEpochRecorded: ((RunRecord) -> Void)?

    public init(experiment: Experiment, options: RunnerOptions, interrupt: InterruptFlag = .process) {
        self.experiment = experiment
        self.options = options
        self.interrupt = interrupt
    }

    /// The selected rows resolved for the profile, with `options.seeds` replacing their seeds.
    public func selectedRuns() throws(RunnerError) -> [(run: ExperimentRun, seeds: [Int])] {
        guard experiment.defines(options.profile) else {
            throw .undefinedProfile(options.profile.rawValue, file: experiment.path)
        }
        let runs = experiment.runs(options.profile)
        if let rows = options.rows {
            let unknown = rows.filter { row in !runs.contains { $0.row == row } }
            guard unknown.isEmpty else { throw .unknownRows(unknown, file: experiment.path, known: runs.map(\.row)) }
        }
        return runs.filter { run in options.rows?.contains(run.row) ?? true }.map { ($0, options.seeds ?? $0.seeds) }
    }

    /// What to do with each selected run; throws `RunnerError.conflicts` listing every existing
    /// file the request must not overwrite or continue from.
    public func plan() throws -> [PlannedRun] {
        var plan: [PlannedRun] = [], conflicts: [String] = []
        for (run, seeds) in try selectedRuns() {
            if let same = run.sameRunAs {
                plan += seeds.map { PlannedRun(run: run, seed: $0, action: .sameRun(same)) }
                continue
            }
            let availability = DataAvailability.of(run, in: options.dataRoot)
            for seed in seeds {
                guard case let .available(dataset) = availability else {
                    if case let .missing(summary, details) = availability {
                        plan.append(PlannedRun(run: run, seed: seed, action: .missingData(summary: summary, details: details)))
                    }
                    continue
                }
                do {
                    plan.append(PlannedRun(run: run, seed: seed, action: try action(run, seed: seed, dataset: dataset)))
                } catch let conflict as PlanConflict {
                    conflicts.append(conflict.message)
                }
            }
        }
        guard conflicts.isEmpty else { throw RunnerError.conflicts(conflicts) }
        return plan
    }

    private struct PlanConflict: Error {
        let message: String
    }

    private func action(_ run: ExperimentRun, seed: Int, dataset: DatasetName) throws -> PlannedRun.Action {
        let resultPath = run.resultPath(in: options.resultsRoot, seed: seed)
        let checkpointPath = run.checkpointPath(in: options.checkpointsRoot, seed: seed)
        guard OutputFile.exists(resultPath) else {
            let note = options.resume && OutputFile.exists(checkpointPath)
                ? "no result file beside \(checkpointPath) to continue; starting over" : nil
            return .start(dataset: dataset, note: note)
        }
        if options.overwrite { return .start(dataset: dataset, note: "replacing \(resultPath)") }
        let record: RunRecord
        do {
            record = try ResultStore.read(resultPath)
        } catch {
            let remedy = (try? OutputFile.checkReplaceable(resultPath)) != nil ? "pass --overwrite to replace it"
                : "remove it: fsnn replaces only files"
            throw PlanConflict(message: "\(resultPath) cannot be read (\(error)); \(remedy)")
        }
        if record.status == .complete {
            let differences = ConfigEntry.differences(record.settings, RunIdentity(run: run, seed: seed, datasetUsed: dataset).settings,
                                                      ignoring: RunIdentity.incidentalSettings)
            guard record.profile != run.profile || !differences.isEmpty else { return .skip }
            let changed = differences.map { "\($0.name) \($0.stored) → \($0.requested)" }
            throw PlanConflict(message: "\(resultPath) holds a complete run of profile \(record.profile.rawValue); "
                + "profile \(run.profile.rawValue) was requested"
                + (changed.isEmpty ? "" : " (settings differ: \(changed.joined(separator: ", ")))")
                + "; pass --overwrite to replace it, or --results to write elsewhere")
        }
        let replaced = "replacing its \(record.status.name) \(record.profile.rawValue) result after \(counted(record.epochs.count, "epoch"))"
        guard options.resume else { return .start(dataset: dataset, note: replaced + " (--resume continues it)") }
        guard OutputFile.exists(checkpointPath) else {
            return .start(dataset: dataset, note: "no checkpoint \(checkpointPath) to resume from; " + replaced)
        }
        let summary: (progress: TrainingProgress, metadata: [ConfigEntry])
        let stored: RunIdentity
        do {
            summary = try Checkpoint.readSummary(checkpointPath)
            stored = try RunIdentity(entries: summary.metadata, file: checkpointPath)
        } catch {
            throw PlanConflict(message: "\(checkpointPath) cannot be read (\(error)); run without --resume to start over")
        }
        let differences = stored.differences(from: RunIdentity(run: run, seed: seed, datasetUsed: dataset))
        guard differences.isEmpty else {
            throw PlanConflict(message: RunnerError.checkpointMismatch(checkpoint: checkpointPath, differences: differences)
                .description)
        }
        return .resume(dataset: dataset, afterEpoch: summary.progress.epoch)
    }

    /// Plans, then trains the planned runs (here, or in `jobs` child processes) and reports on
    /// every one. Runs that fail do not stop the others; an interrupt does.
    ///
    /// Before training, every run to train is claimed (`claim`); planning is then repeated under
    /// the locks, so a run that another process completed meanwhile is not overwritten.
    public func run() throws -> RunnerSummary {
        var locks: [String: RunLock] = [:]
        defer { locks.values.forEach { $0.release() } }
        var plan = try plan()
        if !options.isChild {
            try claim(plan, into: &locks)
            plan = try self.plan()
            try claim(plan, into: &locks)
        }
        try logMissingData(plan)
        if options.jobs > 1 {
            guard let executable = options.executable else { throw RunnerError.noExecutableForJobs }
            return RunnerSummary(table: experiment.file.table, profile: options.profile,
                                 reports: ChildRuns(executable: executable, runner: self).run(plan))
        }
        let environment = RunEnvironment(
            experimentText: experiment.text, resultsRoot: options.resultsRoot, checkpointsRoot: options.checkpointsRoot,
            gitRevision: options.gitRevision, data: RunData(root: options.dataRoot, interrupt: interrupt), interrupt: interrupt,
            labelsProgress: !options.isChild, onEpochRecorded: onEpochRecorded)
        var reports: [RunReport] = []
        for planned in plan {
            if let report = reportWithoutTraining(planned) {
                reports.append(report)
                continue
            }
            var report = RunReport(run: planned.run, seed: planned.seed, outcome: .notStarted)
            if !interrupt.isSet {
                let (dataset, resumedEpochs, note): (DatasetName, Int?, String?) = switch planned.action {
                case let .start(dataset, note): (dataset, nil, note)
                case let .resume(dataset, afterEpoch): (dataset, afterEpoch, nil)
                case .skip, .missingData, .sameRun: preconditionFailure("reported without training")
                }
                if let note { try log(planned, note) }
                let execution = RunExecution(task: planned, datasetUsed: dataset, resumedEpochs: resumedEpochs,
                                             environment: environment)
                report.outcome = .finished(execution.execute())
                report.best = execution.record?.bestTestAccuracy
            }
            reports.append(report)
        }
        return RunnerSummary(table: experiment.file.table, profile: options.profile, reports: reports)
    }

    /// Locks each run of `plan` that will train (`RunLock`: a second process on the same run
    /// refuses, naming the holder), checks that `--results` and `--runs` can take its files, and
    /// removes temporary files that dead processes left beside them. A child of `--jobs` claims
    /// nothing: its parent holds the claims.
    private func claim(_ plan: [PlannedRun], into locks: inout [String: RunLock]) throws {
        for planned in plan {
            switch planned.action {
            case .start, .resume: break
            case .skip, .missingData, .sameRun: continue
            }
            let result = resultPath(planned)
            let checkpoint = planned.run.checkpointPath(in: options.checkpointsRoot, seed: planned.seed)
            guard locks[result] == nil else { continue }
            do {
                locks[result] = try RunLock.acquire(forResult: result)
                try Directories.checkWritable((result as NSString).deletingLastPathComponent)
                try OutputFile.checkReplaceable(result)
            } catch let error as RunFileError {
                throw RunnerError.unwritable(option: "--results", root: options.resultsRoot, reason: "\(error)")
            }
            do {
                try Directories.createParent(of: checkpoint)
                try Directories.checkWritable((checkpoint as NSString).deletingLastPathComponent)
                try OutputFile.checkReplaceable(checkpoint)
            } catch {
                throw RunnerError.unwritable(option: "--runs", root: options.checkpointsRoot, reason: "\(error)")
            }
            Directories.removeStaleTemporaries(of: result)
            Directories.removeStaleTemporaries(of: checkpoint)
        }
    }

    /// The report of a run that needs no training (already complete, its data missing, which is
    /// logged, or another file's row's); nil for a run to train.
    func reportWithoutTraining(_ planned: PlannedRun) -> RunReport? {
        var report = RunReport(run: planned.run, seed: planned.seed, outcome: .alreadyComplete)
        switch planned.action {
        case .skip:
            report.best = try? ResultStore.read(resultPath(planned)).bestTestAccuracy
        case let .missingData(summary, _):
            report.outcome = .missingData(summary)
        case let .sameRun(same):
            let path = same.resultPath(in: options.resultsRoot, seed: planned.seed)
            let status = OutputFile.exists(path) ? (try? ResultStore.read(path).status.name) ?? "unreadable" : "not run yet"
            report.outcome = .sameRun(same, resultFile: path, status: status)
        case .start, .resume:
            return nil
        }
        return report
    }

    /// One message per missing dataset (not per run): the rows that need it, where it was
    /// looked for and how to obtain it.
    func logMissingData(_ plan: [PlannedRun]) throws(ConsoleError) {
        var byDetails: [(details: String, rows: [String])] = []
        for planned in plan {
            guard case let .missingData(_, details) = planned.action else { continue }
            if let index = byDetails.firstIndex(where: { $0.details == details }) {
                if !byDetails[index].rows.contains(planned.run.row) { byDetails[index].rows.append(planned.run.row) }
            } else {
                byDetails.append((details, [planned.run.row]))
            }
        }
        let prefix = options.isChild ? "" : "[\(experiment.file.table)] "
        for (details, rows) in byDetails {
            let message = "\(prefix)skipping \(rows.count == 1 ? "row" : "rows") \(rows.joined(separator: ", ")), data missing: \(details)\n"
            try ConsoleStream.standardError.write(message)
        }
    }

    func resultPath(_ planned: PlannedRun) -> String { planned.run.resultPath(in: options.resultsRoot, seed: planned.seed) }

    func log(_ planned: PlannedRun, _ message: String) throws(ConsoleError) {
        let prefix = options.isChild ? "" : "[\(planned.run.table)/\(planned.run.row) seed \(planned.seed)] "
        try ConsoleStream.standardError.write(prefix + message + "\n")
    }
}

/// The outcome of `fsnn run`: one report per planned run.
public struct RunnerSummary: Sendable {
    public var table: String
    public var profile: Profile
    public var reports: [RunReport]

    /// 130 when a run was interrupted, else 1 when one failed (a row whose data is partly present
    /// or corrupt fails) or when nothing could run because the dataset of every selected run is
    /// wholly absent, else 0 (some rows' datasets absent included: they are listed, and the report
    /// shows them as "data missing").
    public var exitCode: Int32 {
        func has(_ test: (RunReport.Outcome) -> Bool) -> Bool { reports.contains { test($0.outcome) } }
        if has({ if case .finished(.interrupted) = $0 { return true }; return $0 == .notStarted }) { return 130 }
        if has({ if case .finished(.failed) = $0 { return true }; return false }) { return 1 }
        if allDataMissing { return 1 }
        return 0
    }

    /// Every selected run was skipped because its dataset is wholly absent: nothing trained.
    public var allDataMissing: Bool {
        !reports.isEmpty && reports.allSatisfy { if case .missingData = $0.outcome { return true }; return false }
    }

    /// A count by outcome, then one line per run.
    public var text: String {
        var counts: [String: Int] = [:], order: [String] = []
        var lines: [String] = []
        for report in reports {
            let (kind, detail) = Self.describe(report)
            let tallied = if case .sameRun = report.outcome { "same run as another table's row" } else { kind }
            if counts[tallied] == nil { order.append(tallied) }
            counts[tallied, default: 0] += 1
            lines.append("  \(report.run.row) seed \(report.seed): \(kind)\(detail.isEmpty ? "" : " — " + detail)")
        }
        let tally = order.map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
        var nothingRan = ""
        if allDataMissing {
            nothingRan = "\nNothing was trained: the data of every selected row is missing (how to obtain it is printed above)."
        } else if !reports.isEmpty, reports.allSatisfy({ if case .sameRun = $0.outcome { return true }; return false }) {
            nothingRan = "\nNothing was trained: at profile \(profile.rawValue) the selected rows are other tables' runs, "
                + "trained by the commands above."
        }
        return "\(table) (profile \(profile.rawValue)): \(reports.isEmpty ? "nothing selected" : tally)\n"
            + lines.joined(separator: "\n") + nothingRan
    }

    private static func describe(_ report: RunReport) -> (String, String) {
        let best = report.best.map { String(format: "best test accuracy %.2f %% (epoch %d)", $0.accuracy, $0.epoch) } ?? ""
        switch report.outcome {
        case .alreadyComplete: return ("already complete", best)
        case .finished(.complete), .finished(.running): return ("complete", best)
        case let .finished(.failed(stop)): return ("failed", "epoch \(stop.epoch), batch \(stop.batch): \(stop.message)")
        case let .finished(.interrupted(stop)): return ("interrupted", "epoch \(stop.epoch), batch \(stop.batch)")
        case let .missingData(summary): return ("data missing", summary)
        case let .sameRun(same, resultFile, status):
            return ("same run as \(same)", "\(resultFile): \(status); trained by \(same.command(report.run.profile))")
        case .notStarted: return ("not started", "the runner was interrupted")
        }
    }
}
