import Foundation

/// `fsnn run … --slurm-task`, what the array script execs: one run of a submission inside its
/// array task, with the task's requeue policy (docs/cluster.md, "Preemption and failure").
///
/// - A requeued start (`SLURM_RESTART_COUNT` > 0) continues the run from its checkpoint
///   (`--resume`), whatever the first start's flags were.
/// - It refuses to train when the task has been requeued more than `maxRequeues` times (node
///   failures and preemptions requeue it without asking), and after a requeue when the run had
///   failed for its own reason (divergence, bad data): retrying cannot help.
/// - When Slurm's warning before the time limit (USR1) interrupted the run, the task requeues
///   itself (`scontrol requeue`) while it has requeues left. Other signals (scancel, `scontrol
///   requeue`, preemption) leave the decision to Slurm.
public struct SlurmArrayTask {
    public let job: SlurmJobIdentity
    public let maxRequeues: Int

    public init(job: SlurmJobIdentity, maxRequeues: Int) {
        self.job = job
        self.maxRequeues = maxRequeues
    }

    /// The task this process runs in, from Slurm's environment variables.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, maxRequeues: Int)
        throws(SlurmTaskError) {
        guard let job = SlurmJobIdentity(environment: environment) else { throw .notInSlurmJob }
        self.init(job: job, maxRequeues: maxRequeues)
    }

    /// A requeued start resumes; a first start keeps the submission's flags.
    public func options(for options: RunnerOptions) -> RunnerOptions {
        guard job.restartCount > 0 else { return options }
        var options = options
        options.resume = true
        options.overwrite = false
        return options
    }

    /// Why this start must not train, or nil.
    public func refusal(_ runner: ExperimentRunner) throws -> String? {
        if job.restartCount > maxRequeues {
            return "task \(job.schedulerId) was requeued \(job.restartCount) times, more than --max-requeues "
                + "\(maxRequeues): not training; its run stays as recorded (fsnn status), submit again to continue it"
        }
        guard job.restartCount > 0 else { return nil }
        for (run, seeds) in try runner.selectedRuns() {
            for seed in seeds {
                let path = run.resultPath(in: runner.options.resultsRoot, seed: seed)
                guard OutputFile.exists(path),
                      case let .failed(stop) = try ResultStore.read(path).status else { continue }
                return "\(run.row) seed \(seed) failed for its own reason in epoch \(stop.epoch), batch \(stop.batch) "
                    + "(\(stop.message)); a requeued task does not retry it"
            }
        }
        return nil
    }

    /// Whether the task should requeue itself after the runner returned `summary`: the
    /// time-limit warning interrupted a run and requeues are left.
    public func shouldRequeue(after summary: RunnerSummary, interrupt: InterruptFlag) -> Bool {
        guard interrupt.isTimeLimitWarning, job.restartCount < maxRequeues else { return false }
        return summary.reports.contains { report in
            if case .finished(.interrupted) = report.outcome { return true }
            return report.outcome == .notStarted
        }
    }

    /// Runs the request as this task: the policy above around `ExperimentRunner.run`. Returns
    /// the runner's summary (nil when refused) and what the task did about it.
    public func run(_ experiment: Experiment, options: RunnerOptions, interrupt: InterruptFlag = .process,
                    client: SlurmClient = SlurmClient()) throws -> (summary: RunnerSummary?, note: String?, exitCode: Int32) {
        let runner = ExperimentRunner(experiment: experiment, options: self.options(for: options), interrupt: interrupt)
        if let refusal = try refusal(runner) { return (nil, refusal, 1) }
        let summary = try runner.run()
        guard shouldRequeue(after: summary, interrupt: interrupt) else {
            let note = interrupt.isTimeLimitWarning
                ? "the time limit is near and task \(job.schedulerId) has been requeued \(job.restartCount) times "
                    + "(--max-requeues \(maxRequeues)): not requeued" : nil
            return (summary, note, summary.exitCode)
        }
        do {
            try client.requeue("\(job.jobId)")
            return (summary, "the time limit is near: task \(job.schedulerId) requeued itself "
                + "(requeue \(job.restartCount + 1) of at most \(maxRequeues)); it will resume from the checkpoint",
                summary.exitCode)
        } catch {
            return (summary, "the time limit is near, but task \(job.schedulerId) could not requeue itself: \(error)",
                    summary.exitCode)
        }
    }
}

/// `--slurm-task` outside a Slurm job.
public enum SlurmTaskError: Error, Equatable, CustomStringConvertible {
    case notInSlurmJob

    public var description: String {
        "--slurm-task runs inside a Slurm array task (SLURM_JOB_ID is not set); the array script written by "
            + "`fsnn run --scheduler slurm` passes it"
    }
}
