import Foundation

/// `fsnn run FILE --scheduler slurm`: the runs planned exactly as a local run plans them (skip
/// complete, refuse conflicts, resume interrupted with `--resume`), as one job array of the runs
/// that train and one report job after it.
///
/// Submitting writes `<runs>/slurm/<table>.sbatch` and `<table>.report.sbatch`, submits the array
/// (`sbatch --parsable`), then the report job with `--dependency=afterany:<array>`, and keeps a
/// `SlurmSubmissionRecord` beside the scripts. When the report job cannot be submitted the array is
/// cancelled again, so that a submission is whole or nothing.
public struct SlurmSweep {
    public let plan: [PlannedRun]
    public let tasks: [SlurmTask]
    public let context: SbatchScript.Context
    public let options: SlurmOptions
    /// Nil when no run is left to train.
    public let arrayScript: SbatchScript?
    public let reportScript: SbatchScript

    /// Plans `runner`'s request (throwing its refusals) and writes the scripts' text; nothing is
    /// written to disk. `executable` and relative paths are made absolute against `workingDirectory`.
    public init(runner: ExperimentRunner, options: SlurmOptions, executable: String, workingDirectory: String) throws {
        try options.validate()
        let runnerOptions = runner.options
        func absolute(_ path: String) -> String {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
                : URL(fileURLWithPath: workingDirectory).appendingPathComponent(path)
            return url.standardizedFileURL.path
        }
        var context = SbatchScript.Context(
            executable: absolute(executable), experimentPath: absolute(runner.experiment.path),
            table: runner.experiment.file.table, profile: runnerOptions.profile,
            resultsRoot: absolute(runnerOptions.resultsRoot), checkpointsRoot: absolute(runnerOptions.checkpointsRoot),
            dataRoot: absolute(runnerOptions.dataRoot.path), workingDirectory: absolute(workingDirectory))
        context.resume = runnerOptions.resume
        context.overwrite = runnerOptions.overwrite
        for path in [context.directory, context.workingDirectory] where path.contains(where: { $0.isWhitespace || $0 == "%" }) {
            throw SlurmSweepError.unusablePath(path)
        }
        plan = try runner.plan()
        tasks = SlurmTask.tasks(of: plan)
        self.context = context
        self.options = options
        arrayScript = tasks.isEmpty ? nil : SbatchScript.array(tasks, options: options, context: context)
        reportScript = SbatchScript.report(options: options, context: context)
    }

    /// The runs of the plan that are not tasks, one line each (complete, without data, or
    /// another file's row's).
    public var notSubmitted: [String] {
        plan.compactMap { planned in
            switch planned.action {
            case .skip: return "\(planned.run.row) seed \(planned.seed): already complete"
            case let .missingData(summary, _): return "\(planned.run.row) seed \(planned.seed): data missing (\(summary))"
            case let .sameRun(same):
                return "\(planned.run.row) seed \(planned.seed): same run as \(same), trained by \(same.command(planned.run.profile))"
            case .start, .resume: return nil
            }
        }
    }

    /// What `--dry-run` prints: both scripts, the task table and the runs left out.
    public var dryRunText: String {
        var parts: [String] = []
        if let arrayScript {
            parts.append("# \(arrayScript.path)\n\(arrayScript.text)")
            parts.append("# \(reportScript.path) (submitted with --dependency=afterany:<array job>)\n\(reportScript.text)")
            parts.append("\(tasks.count) task\(tasks.count == 1 ? "" : "s")"
                + (options.maxParallel.map { ", at most \($0) at once" } ?? "") + ":\n" + SlurmTask.table(tasks))
        } else {
            parts.append("nothing to submit: no planned run trains")
        }
        if !notSubmitted.isEmpty {
            parts.append("not submitted:\n" + notSubmitted.map { "  \($0)" }.joined(separator: "\n"))
        }
        return parts.joined(separator: "\n")
    }

    /// Submits the array and the report job; nil (and nothing submitted) when no run trains.
    /// Refuses when a run of the plan is still queued or running in a job of an earlier
    /// submission, since two tasks must not train one run.
    public func submit(with client: SlurmClient = SlurmClient()) throws -> SlurmSubmissionRecord? {
        guard let arrayScript else { return nil }
        try refuseLiveDuplicates(client)
        for script in [arrayScript, reportScript] { try OutputFile.write(script.text, to: script.path) }
        let arrayJob = try client.submit(arrayScript.path)
        let reportJob: Int
        do {
            reportJob = try client.submit(reportScript.path, dependency: "afterany:\(arrayJob)")
        } catch {
            let cancelled: String
            do {
                try client.cancel(["\(arrayJob)"])
                cancelled = "the array job \(arrayJob) was cancelled"
            } catch let cancelError {
                cancelled = "the array job \(arrayJob) could not be cancelled (\(cancelError)); cancel it with scancel"
            }
            throw SlurmSweepError.reportNotSubmitted(arrayJob: arrayJob, reason: "\(error)", cancelled: cancelled)
        }
        let record = SlurmSubmissionRecord(table: context.table, experiment: context.experimentPath,
                                           profile: context.profile.rawValue, arrayJobId: arrayJob, reportJobId: reportJob,
                                           tasks: tasks)
        try record.write(in: context.directory)
        return record
    }

    private func refuseLiveDuplicates(_ client: SlurmClient) throws {
        let records = SlurmSubmissionRecord.all(in: context.directory)
        guard !records.isEmpty else { return }
        let jobs = try client.jobs()
        var live: [String] = []
        for task in tasks {
            guard let (record, earlier) = SlurmSubmissionRecord.latestTask(of: records, table: context.table,
                                                                           row: task.row, seed: task.seed),
                  let job = jobs.job(array: record.arrayJobId, task: earlier.index), job.isLive else { continue }
            live.append("\(task.row) seed \(task.seed) is in job \(job.id) (\(job.summary))")
        }
        guard live.isEmpty else { throw SlurmSweepError.alreadyQueued(live) }
    }
}

/// Why a sweep was not submitted (or not whole).
public enum SlurmSweepError: Error, Equatable, CustomStringConvertible {
    /// A path that must appear in an `#SBATCH` line has a space or `%`, which sbatch would split or expand.
    case unusablePath(String)
    /// Runs of the request that a job of an earlier submission still holds.
    case alreadyQueued([String])
    case reportNotSubmitted(arrayJob: Int, reason: String, cancelled: String)

    public var description: String {
        switch self {
        case let .unusablePath(path):
            return "\(path) holds a space or '%', which an #SBATCH line cannot carry; use --runs and a working "
                + "directory without them"
        case let .alreadyQueued(lines):
            return "nothing was submitted; runs of this request are still queued or running:\n"
                + lines.map { "  - \($0)" }.joined(separator: "\n")
                + "\n  wait for them (fsnn status) or cancel them (scancel) first"
        case let .reportNotSubmitted(arrayJob, reason, cancelled):
            return "the report job could not be submitted after array job \(arrayJob), so \(cancelled):\n\(reason)"
        }
    }
}
